"""Synchronous reads and writes a socket needs. The consumer calls each through
realtime.tenant_db, which enters the tenant's schema around the call; nothing here may be
called from async code directly."""

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user

from accounts.language import language_for
from accounts.models import User
from realtime import selectors, services
from realtime.events import NotificationPayload
from realtime.topics import topic_authorize
from tenants.selectors import current_tenant


def session_user(*, session_key: str) -> User | None:
    """The active user of a session in the current schema, exactly as a view would see it
    (Django's own session-hash check included), or None."""
    if not session_key:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    request = SimpleNamespace(session=engine.SessionStore(session_key))
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


def inbox_state(*, user_id: int) -> tuple[int, int]:
    """(last seq, unread count) of the user's inbox."""
    return selectors.notification_inbox_state(user=user_id)


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
