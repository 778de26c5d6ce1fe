"""Synchronous reads and writes a socket needs. The consumer calls each through
realtime.tenant_db, which enters the tenant's schema around the call; nothing here may be
called from async code directly."""

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connection
from django.utils import timezone

from accounts.language import language_for
from accounts.models import User
from realtime import selectors, services
from realtime.events import NotificationPayload
from realtime.topics import topic_authorize
from tenants.selectors import current_tenant

DB_SESSIONS = "django.contrib.sessions.backends.db"


class _SessionRead(DbSessionStore):
    """Django's database session store, reading its row with one plain query: the ORM's
    building of it was a tenth of a handshake's samples. Same row, same expiry rule, same
    decoding (a tampered or expired session reads as empty)."""

    # The signature's salt is named after the store's class: this one must sign as Django's.
    key_salt = "django.contrib.sessions." + DbSessionStore.__qualname__

    def _get_session_from_db(self) -> Any:
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608 -- the model's table
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return SimpleNamespace(session_data=row[0])


def session_user(*, session_key: str) -> User | None:
    """The active user of a session in the current schema, exactly as a view would see it
    (Django's own session-hash check included), or None."""
    if not session_key:
        return None
    if settings.SESSION_ENGINE == DB_SESSIONS:
        store: Any = _SessionRead(session_key)
    else:
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    request = SimpleNamespace(session=store)
    user = get_user(request)  # type: ignore[arg-type]
    if isinstance(user, User) and user.is_active:
        return user
    return None


def session_is_valid(*, session_key: str, user_id: int) -> bool:
    user = session_user(session_key=session_key)
    return user is not None and user.pk == user_id


def replay_page(
    *, user_id: int, after_seq: int, language: str | None = None
) -> list[NotificationPayload]:
    """One page (selectors.REPLAY_PAGE) of notifications after `after_seq`, oldest first, in
    the reader's language: `language` (a socket's scope["language"]) or, if not given, the
    user's as stored now (accounts.language.language_for)."""
    if language is None:
        reader = User.objects.filter(pk=user_id).only("language").first()
        language = language_for(reader, current_tenant())
    return [
        services.notification_payload(n, language=language)
        for n in selectors.notifications_after(user=user_id, after_seq=after_seq)
    ]


def inbox_last_seqs(*, user_ids: list[int]) -> dict[int, int]:
    return selectors.notification_last_seqs(user_ids=user_ids)


def mark_read(*, user_id: int, seq: int | None) -> int:
    """Mark one (or, with seq None, every) notification read; returns the new unread count."""
    user = User.objects.get(pk=user_id)
    if seq is None:
        return services.notification_mark_all_read(user=user)
    return services.notification_mark_read(user=user, seq=seq)


def authorize_topic(*, user_id: int, topic: str, params: dict[str, Any]) -> int:
    user = User.objects.get(pk=user_id)
    return topic_authorize(user=user, topic=topic, params=params)
