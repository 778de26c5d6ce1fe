"""allauth's adapter for every site (ACCOUNT_ADAPTER): the accounts adapter, plus patient
sign-up on a clinic that allows it (ClinicSettings.allow_patient_sign_up).

* Sign-up is open only on a clinic with the setting on: never on a school, never on the
  operators' site. Whatever the form posts, the account created is a patient
  (accounts.roles.SELF_SIGN_UP_ROLE) and nothing else.
* A signed-up address must be verified before its owner can sign in (SignUpVerificationStage).
  Invited people and operators are not asked: invitations create verified addresses, and
  operators have no address rows at all."""

from typing import Any

# Imported before allauth.account.stages, which otherwise closes a circle inside allauth
# (stages -> internal -> flows -> stagekit -> stages) when this adapter is the first of
# allauth's account modules a process loads: Celery's worker does (its Django fixup runs
# allauth's system checks, which load the adapter).
from allauth.account.internal import flows  # noqa: F401
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.adapter import AccountAdapter
from accounts.models import User
from accounts.roles import SELF_SIGN_UP_ROLE
from clinic.selectors import clinic_settings_get


def _on_a_tenant_site(request: HttpRequest) -> bool:
    """A school's or a clinic's site (the account page is theirs), not the operators'."""
    tenant = getattr(request, "tenant", None)
    return tenant is not None and not tenant.is_public


def sign_up_role(request: HttpRequest) -> str | None:
    """The role a stranger signing up on this site gets, or None where sign-up is closed."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return None
    role = SELF_SIGN_UP_ROLE.get(tenant.kind)
    if role is None or not tenant.is_clinic or not clinic_settings_get().allow_patient_sign_up:
        return None
    return role.value


class TenantAccountAdapter(AccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return sign_up_role(request) is not None

    def new_user(self, request: HttpRequest) -> User:
        user = User()
        # Set here, not from the form: a posted role is never read.
        user.role = sign_up_role(request) or ""
        return user

    def save_user(
        self, request: HttpRequest, user: Any, form: BaseForm, commit: bool = True
    ) -> User:
        role = sign_up_role(request)
        if role is None:  # allauth checked is_open_for_signup first: never on a closed site
            raise PermissionDenied(_("Sign-up is closed here."))
        user.role = role
        saved: User = super().save_user(request, user, form, commit=commit)
        return saved

    def get_login_stages(self) -> list[str]:
        stages: list[str] = super().get_login_stages()
        return [
            "people.adapter.SignUpVerificationStage"
            if stage == "allauth.account.stages.EmailVerificationStage"
            else stage
            for stage in stages
        ]

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        if not _on_a_tenant_site(request):
            return str(super().get_password_change_redirect_url(request))
        return reverse("people:account")

    def get_email_verification_redirect_url(self, email_address: EmailAddress) -> str:
        if _on_a_tenant_site(self.request) and self.request.user.is_authenticated:
            return reverse("people:account")
        return reverse("account_login")


class SignUpVerificationStage(EmailVerificationStage):
    """Verification is mandatory for whoever has address rows but none verified (a sign-up
    not yet confirmed); users without rows (operators) and invited users pass."""

    def handle(self) -> tuple[HttpResponseBase | None, bool]:
        from allauth.account.adapter import get_adapter
        from allauth.account.internal.flows.email_verification import (
            send_verification_email_at_login,
        )

        user = self.login.user
        addresses = EmailAddress.objects.filter(user=user)
        if user is None or not addresses.exists() or addresses.filter(verified=True).exists():
            return None, True
        send_verification_email_at_login(self.request, self.login)
        return get_adapter().respond_email_verification_sent(self.request, user), True
