"""Reads of the account page."""

from allauth.account.models import EmailAddress

from accounts.models import User
from realtime.families import Family, families_for_kind
from realtime.selectors import email_copy_choices


def account_pending_email(*, user: User) -> str | None:
    """The new address `user` asked for and has not verified yet, if any."""
    pending = EmailAddress.objects.filter(user=user, verified=False).order_by("-pk").first()
    return pending.email if pending else None


def account_email_copies(*, user: User, kind: str) -> list[tuple[Family, bool]]:
    """The families of `kind`, each with whether `user` gets e-mail copies of it."""
    families = families_for_kind(kind)
    chosen = email_copy_choices(user=user, families=families)
    return [(family, chosen[family.key]) for family in families]
