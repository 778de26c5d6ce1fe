"""Writes of the account page: a user changes their own name, language, e-mail address and
e-mail copies. Call inside the tenant's schema."""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_set_language
from realtime.families import families_for_kind
from realtime.services import notification_preference_set


@transaction.atomic
def account_profile_update(*, user: User, full_name: str, language: str) -> User:
    """Save `user`'s name and language ("" for the site's default); ValidationError (keyed by
    field) and nothing saved on bad input."""
    user_set_language(user=user, language=language)
    user.full_name = full_name.strip()
    user.save(update_fields=["full_name"])
    return user


def account_email_change_request(*, request: HttpRequest, user: User, email: str) -> str:
    """Send a verification link to `email`; the address replaces `user`'s once the link is
    opened (allauth's e-mail change, ACCOUNT_CHANGE_EMAIL). Refused when the address already
    belongs to someone of this tenant (or is theirs already)."""
    email = email.strip().lower()
    taken = (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
    )
    if taken:
        raise ValidationError(
            {"email": _("%(email)s already has an account here.") % {"email": email}}
        )
    EmailAddress.objects.add_new_email(request, user, email)
    return email


@transaction.atomic
def account_email_copies_set(*, user: User, kind: str, wanted: set[str]) -> None:
    """E-mail copies on for the families in `wanted`, off for the other families of `kind`."""
    families = families_for_kind(kind)
    unknown = wanted - {family.key for family in families}
    if unknown:
        raise ValidationError({"email_copy": _("There is no such kind of notification.")})
    for family in families:
        notification_preference_set(user=user, family=family.key, email_copy=family.key in wanted)
