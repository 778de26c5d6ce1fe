"""Control messages that end live connections: logout, and suspension of a tenant."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from realtime.events import (
    ControlEvent,
    Message,
    send_control,
    send_now_rollback_unsafe,
    send_on_commit,
)
from realtime.groups import operator_group, tenant_group, user_group
from tenants.db import current_schema_name, is_public_schema


def session_ended(*, user_id: int, session_key: str) -> None:
    """The user's sockets opened with `session_key` close (4401); other devices stay. On the
    operators' site (public schema) the same goes to the operator's console sockets."""
    schema = current_schema_name()
    group = (
        operator_group(user_id=user_id)
        if is_public_schema(schema)
        else user_group(schema_name=schema, user_id=user_id)
    )
    send_on_commit(messages=[(group, {"type": "session.ended", "session_key": session_key})])


def user_signed_out(*, user_id: int) -> None:
    """Every socket of the user in this tenant re-checks its session once the change commits
    and closes (4401) if it is no longer valid: sign out everywhere, deactivation. The caller
    has already ended the sessions (accounts.services.user_sessions_end or is_active=False)."""
    group = user_group(schema_name=current_schema_name(), user_id=user_id)
    send_on_commit(messages=[(group, {"type": "session.ended"})])


def tenant_suspended(*, schema_name: str) -> None:
    """Every socket of the tenant closes (4423) once the suspension commits."""
    _tenant_closed(schema_name=schema_name, event={"type": "tenant.suspended"})


def tenant_archived(*, schema_name: str) -> None:
    """Every socket of the tenant closes (4410) once the archiving commits."""
    _tenant_closed(schema_name=schema_name, event={"type": "tenant.archived"})


def _tenant_closed(*, schema_name: str, event: ControlEvent) -> None:
    messages: list[Message] = [(tenant_group(schema_name=schema_name), event)]

    def after_commit() -> None:
        send_now_rollback_unsafe(messages=messages)
        send_control(event=TENANTS_CHANGED)

    transaction.on_commit(after_commit, robust=True)


def tenant_registry_changed() -> None:
    """A tenant's status or domains changed: every process forgets the hosts it cached for
    socket handshakes (realtime.asgi) once the change commits."""
    transaction.on_commit(lambda: send_control(event=TENANTS_CHANGED), robust=True)


TENANTS_CHANGED = {"type": "tenants.changed"}


def on_user_logged_out(*, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """Receiver of django.contrib.auth's user_logged_out (connected in RealtimeConfig.ready):
    the sockets of the session being ended close at once. Django sends the signal before it
    flushes the session, so the key is still the one the sockets were opened with."""
    session_key = request.session.session_key if request is not None else None
    if request is not None and user is not None and user.is_authenticated and session_key:
        # Ended in the store before the sockets hear of it: they re-check the session (a
        # forged message must not close a live one), and Django flushes it only after this
        # signal, so a socket could otherwise still find it valid and stay open. Django's
        # own flush then finds nothing left to delete.
        request.session.delete(session_key)
        session_ended(user_id=user.pk, session_key=session_key)
