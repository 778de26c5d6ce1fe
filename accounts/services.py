"""Writes to a tenant's users. Call inside the tenant's schema (request or tenant_context).

The tenant registry sits above accounts: callers pass what they know of the tenant (its kind,
name and base URL) as plain values, so accounts never imports tenants."""

from collections.abc import Callable, Sequence
from urllib.parse import quote

from allauth.account.forms import EmailAwarePasswordResetTokenGenerator, default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

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
        raise ValidationError(
            {"email": _("%(email)s is not a valid e-mail address.") % {"email": email}}
        ) from exc
    if role not in roles_for_kind(kind):
        raise ValidationError({"role": _("There is no such role here: %(role)s.") % {"role": role}})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("%(email)s already has an account here.") % {"email": email}}
        )
    user = User.objects.create_user(email=email, password=password, role=role, full_name=full_name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def set_password_url(
    *, base_url: str, user: User, tokens: PasswordResetTokenGenerator = default_token_generator
) -> str:
    """A one-time link (allauth's password-reset key) that lets `user` choose a password;
    `base_url` is the tenant's (tenants.selectors.tenant_base_url)."""
    key = f"{user_pk_to_url_str(user)}-{tokens.make_token(user)}"
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": "UID", "key": "KEY"},
        urlconf="config.urls_tenant",
    ).replace("UID-KEY", quote(key))
    return base_url + path


class _KnownAddressTokens(EmailAwarePasswordResetTokenGenerator):
    """allauth's tokens, with each user's e-mail addresses read beforehand in one query: its
    own generator reads them from the database for every token (two queries a person). The
    hash is the same, so allauth checks these links as its own."""

    def __init__(self, addresses: dict[int, set[str]]) -> None:
        super().__init__()
        self.addresses = addresses

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        base = PasswordResetTokenGenerator._make_hash_value(self, user, timestamp)
        emails = {user.email} | self.addresses.get(user.pk, set()) if user.email else set()
        return base + "|".join(sorted(emails))


def _invitation(
    *,
    user: User,
    site_name: str,
    base_url: str,
    language: str,
    invited_by: str | None,
    tokens: PasswordResetTokenGenerator = default_token_generator,
) -> tuple[str, EmailMessage]:
    """The set-password link and the invitation e-mail carrying it, in `language`."""
    url = set_password_url(base_url=base_url, user=user, tokens=tokens)
    with translation.override(language):
        values = {
            "name": user.display_name,
            "inviter": invited_by or _("The Aviso team"),
            "site": site_name,
            "role": user.get_role_display(),
            "url": url,
        }
        subject = _("You are invited to %(site)s on Aviso") % values
        body = (
            _(
                "Hello %(name)s,\n\n"
                "%(inviter)s created an account for you at %(site)s (%(role)s).\n"
                "Choose your password here (the link works once):\n\n%(url)s\n\n"
                "If you did not expect this e-mail you can ignore it.\n"
            )
            % values
        )
    return url, EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def user_invite(
    *, user: User, site_name: str, base_url: str, language: str, invited_by: str | None = None
) -> str:
    """E-mail `user` a set-password link to the site `site_name` at `base_url`, once the
    surrounding transaction commits. Written in `language` (a new user has chosen none: the
    caller passes the tenant's default, accounts.language.language_for)."""
    url, mail = _invitation(
        user=user, site_name=site_name, base_url=base_url, language=language, invited_by=invited_by
    )
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])
    transaction.on_commit(lambda: mail.send())
    return url


def users_invite(
    *,
    users: Sequence[tuple[User, str]],
    site_name: str,
    base_url: str,
    invited_by: str | None = None,
    sent: Callable[[int], None] | None = None,
) -> int:
    """user_invite for many (each `(user, language)`): one UPDATE stamps invited_at, the
    e-mails are built in memory and, once the transaction commits, go out over one connection
    to the mail server; `sent(count)` is then called with how many it took. Returns how many
    were built."""
    addresses: dict[int, set[str]] = {}
    for user_id, email in EmailAddress.objects.filter(
        user_id__in=[user.pk for user, _language in users]
    ).values_list("user_id", "email"):
        addresses.setdefault(user_id, set()).add(email)
    tokens = _KnownAddressTokens(addresses)
    mails = [
        _invitation(
            user=user,
            site_name=site_name,
            base_url=base_url,
            language=language,
            invited_by=invited_by,
            tokens=tokens,
        )[1]
        for user, language in users
    ]
    User.objects.filter(pk__in=[user.pk for user, _language in users]).update(
        invited_at=timezone.now()
    )

    def send_all() -> None:
        count = get_connection().send_messages(mails) or 0
        if sent is not None:
            sent(count)

    # robust: a mail server that fails is logged; the people stay (they can be invited again).
    transaction.on_commit(send_all, robust=True)
    return len(mails)


def user_sessions_end(*, user: User) -> User:
    """Every session `user` has signed in with stops being valid (User.sessions_epoch). The
    caller closes their sockets (people.services, which may reach the socket layer)."""
    user.sessions_epoch += 1
    user.save(update_fields=["sessions_epoch"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Save the language `user` reads ("" for their tenant's default)."""
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    user.language = language
    user.save(update_fields=["language"])
    return user
