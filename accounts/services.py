"""Writes to a tenant's users. Call inside the tenant's schema (request or tenant_context).

The tenant registry sits above accounts: callers pass what they know of the tenant (its kind,
name and base URL) as plain values, so accounts never imports tenants."""

from urllib.parse import quote

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role, roles_for_kind


def user_create(
    *,
    kind: str,
    email: str,
    role: Role | str,
    full_name: str = "",
    password: str | None = None,
) -> User:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": f"{email!r} is not a valid e-mail address."}) from exc
    if role not in roles_for_kind(kind):
        raise ValidationError({"role": f"A {kind} has no {role!r} role."})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"{email} already has an account here."})
    user = User.objects.create_user(email=email, password=password, role=role, full_name=full_name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def set_password_url(*, base_url: str, user: User) -> str:
    """A one-time link (allauth's password-reset key) that lets `user` choose a password;
    `base_url` is the tenant's (tenants.selectors.tenant_base_url)."""
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": "UID", "key": "KEY"},
        urlconf="config.urls_tenant",
    ).replace("UID-KEY", quote(key))
    return base_url + path


def user_invite(*, user: User, site_name: str, base_url: str, invited_by: str = "Aviso") -> str:
    """E-mail `user` a set-password link to the site `site_name` at `base_url`, once the
    surrounding transaction commits."""
    url = set_password_url(base_url=base_url, user=user)
    subject = f"You are invited to {site_name} on Aviso"
    body = (
        f"Hello {user.display_name},\n\n"
        f"{invited_by} created an account for you at {site_name} "
        f"({user.get_role_display()}).\n"
        f"Choose your password here (the link works once):\n\n{url}\n\n"
        "If you did not expect this e-mail you can ignore it.\n"
    )
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    )
    return url
