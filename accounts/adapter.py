from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User

# The e-mail column's length: forms.EmailField (allauth's too) admits 320 characters, and a
# longer address than the column holds was a DataError (500) on the "add e-mail" page.
EMAIL_MAX_LENGTH: int = User._meta.get_field("email").max_length or 254


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created by a tenant's staff or by onboarding; the adapter in use
        # (people.adapter) opens sign-up on clinics that allow patients to sign up.
        return False

    def clean_email(self, email: str) -> str:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(
                _("An e-mail address has at most %(count)d characters.")
                % {"count": EMAIL_MAX_LENGTH}
            )
        cleaned: str = super().clean_email(email)
        return cleaned
