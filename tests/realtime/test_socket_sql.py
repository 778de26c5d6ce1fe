"""The reads a socket makes on the event loop (realtime.socket_sql) answer as Django does.

Who a session belongs to is decided twice in the code base: by Django's `get_user` (pages,
and realtime.socket_queries.session_user on the database threads) and by the loop's SQL read
at the handshake. Each case below is put to both, in the school's schema, and both must give
the same user, or both none; the second school's schema must never answer for the first."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime import socket_queries, socket_sql
from realtime.selectors import notification_last_seq, notification_unread_count
from realtime.services import notify
from realtime.tenant_db import tenant_db
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE, TestMessageParams
from tests.factories import make_user, session_for

pytestmark = pytest.mark.usefixtures("live_db")

OLD_SECRET = "an-old-secret-key-that-signed-sessions-before-the-rotation"


def _session(tenant: Tenant, **data: Any) -> str:
    with tenant_context(tenant):
        store = SessionStore()
        for key, value in data.items():
            store[key] = value
        store.create()
        return str(store.session_key)


def _signed_in(tenant: Tenant, user: User, **overrides: Any) -> str:
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
        **overrides,
    }
    return _session(tenant, **data)


def _valid(school: Tenant, user: User, other: Tenant) -> str:
    return session_for(school, user)


def _through_allauth(school: Tenant, user: User, other: Tenant) -> str:
    backend = "allauth.account.auth_backends.AuthenticationBackend"
    return _signed_in(school, user, **{BACKEND_SESSION_KEY: backend})


def _unknown_key(school: Tenant, user: User, other: Tenant) -> str:
    return "no-such-session-key-0123456789abcdef"


def _expired(school: Tenant, user: User, other: Tenant) -> str:
    key = session_for(school, user)
    with tenant_context(school):
        Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    return key


def _tampered(school: Tenant, user: User, other: Tenant) -> str:
    key = session_for(school, user)
    with tenant_context(school):
        row = Session.objects.get(pk=key)
        Session.objects.filter(pk=key).update(session_data=row.session_data[:-3] + "xyz")
    return key


def _password_changed_since(school: Tenant, user: User, other: Tenant) -> str:
    key = session_for(school, user)
    with tenant_context(school):
        user.set_password("a-new-password-since-that-login")
        user.save(update_fields=["password"])
    return key


def _deactivated(school: Tenant, user: User, other: Tenant) -> str:
    key = session_for(school, user)
    with tenant_context(school):
        User.objects.filter(pk=user.pk).update(is_active=False)
    return key


def _backend_not_configured(school: Tenant, user: User, other: Tenant) -> str:
    return _signed_in(school, user, **{BACKEND_SESSION_KEY: "some.removed.Backend"})


def _without_hash(school: Tenant, user: User, other: Tenant) -> str:
    key = _signed_in(school, user)
    with tenant_context(school):
        store = SessionStore(key)
        del store[HASH_SESSION_KEY]
        store.save()
    return key


def _without_user(school: Tenant, user: User, other: Tenant) -> str:
    return _session(school, note="an anonymous visitor's session")


def _user_deleted(school: Tenant, user: User, other: Tenant) -> str:
    return _signed_in(school, user, **{SESSION_KEY: str(user.pk + 10_000)})


def _signed_with_a_fallback_secret(school: Tenant, user: User, other: Tenant) -> str:
    old_hash = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        user.password,
        secret=OLD_SECRET,
        algorithm="sha256",
    ).hexdigest()
    return _signed_in(school, user, **{HASH_SESSION_KEY: old_hash})


def _of_the_other_school(school: Tenant, user: User, other: Tenant) -> str:
    stranger = make_user(other, Role.STUDENT)
    return session_for(other, stranger)


CASES: dict[str, tuple[Callable[[Tenant, User, Tenant], str], bool]] = {
    # case: (make the session, is it the student's)
    "valid": (_valid, True),
    "signed in through allauth": (_through_allauth, True),
    "signed with a fallback secret": (_signed_with_a_fallback_secret, True),
    "unknown key": (_unknown_key, False),
    "expired": (_expired, False),
    "tampered": (_tampered, False),
    "password changed since": (_password_changed_since, False),
    "deactivated": (_deactivated, False),
    "backend no longer configured": (_backend_not_configured, False),
    "without the auth hash": (_without_hash, False),
    "without a user": (_without_user, False),
    "user deleted": (_user_deleted, False),
    "of the other school": (_of_the_other_school, False),
}


@pytest.mark.parametrize("case", list(CASES))
@override_settings(SECRET_KEY_FALLBACKS=[OLD_SECRET])
async def test_the_loops_session_read_answers_as_djangos(
    case: str, school: Tenant, school_b: Tenant
) -> None:
    # given a student of the school and a session made as the case says
    make, is_theirs = CASES[case]
    student = await sync_to_async(make_user)(school, Role.STUDENT)
    key = await sync_to_async(make)(school, student, school_b)
    # when the socket's handshake reads it on the loop, and Django reads it on a DB thread
    on_loop = await socket_sql.session_user(school, session_key=key)
    by_django = await tenant_db(socket_queries.session_user)(school, session_key=key)
    # then both find the student, or both find nobody
    assert (on_loop.pk if on_loop else None) == (by_django.pk if by_django else None)
    assert (on_loop is not None and on_loop.pk == student.pk) is is_theirs
    if on_loop is not None:
        assert on_loop.email == student.email and on_loop.language == student.language


async def test_hello_reads_what_the_selectors_read(school: Tenant, school_b: Tenant) -> None:
    # given a student with three notifications, one read, and a student of the other school
    # with notifications of their own
    student = await sync_to_async(make_user)(school, Role.STUDENT)
    other = await sync_to_async(make_user)(school_b, Role.STUDENT)

    def notify_some(tenant: Tenant, user: User, count: int) -> None:
        with tenant_context(tenant):
            for n in range(count):
                notify(recipients=[user], kind=TEST_MESSAGE, params=TestMessageParams(text=f"n{n}"))

    await sync_to_async(notify_some)(school, student, 3)
    await sync_to_async(notify_some)(school_b, other, 5)
    await sync_to_async(_read_first)(school, student)
    # when the loop reads the hello of a client that has seen the first one
    on_loop = await socket_sql.hello_state(school, user_id=student.pk, after=1)
    # then it says what the threads' selectors say: last seq 3, two unread, and the same
    # payloads (rendered in the student's language) for notifications 2 and 3
    by_thread = await tenant_db(_inbox_and_page)(school, user_id=student.pk, after=1)
    assert (on_loop.last_seq, on_loop.unread, on_loop.first_page) == by_thread
    assert (on_loop.last_seq, on_loop.unread, on_loop.after) == (3, 2, 1)
    assert [p["seq"] for p in on_loop.first_page] == [2, 3]
    # and a client ahead of the database starts over; one up to date replays nothing
    ahead = await socket_sql.hello_state(school, user_id=student.pk, after=9)
    assert ahead.after == 0 and [p["seq"] for p in ahead.first_page] == [1, 2, 3]
    up_to_date = await socket_sql.hello_state(school, user_id=student.pk, after=3)
    assert up_to_date.first_page == []
    # and in the other school's schema, its student's own inbox is read (ids are per school:
    # the same number may name the first student there)
    there = await socket_sql.hello_state(school_b, user_id=other.pk, after=0)
    assert (there.last_seq, there.unread, len(there.first_page)) == (5, 5, 5)
    # and a user who was never notified is up to date at 0, whatever the client remembers
    newcomer = await sync_to_async(make_user)(school, Role.TEACHER)
    for remembered in (0, 4):
        fresh = await socket_sql.hello_state(school, user_id=newcomer.pk, after=remembered)
        assert (fresh.after, fresh.last_seq, fresh.unread, fresh.first_page) == (0, 0, 0, [])


def _inbox_and_page(*, user_id: int, after: int) -> tuple[int, int, list[Any]]:
    return (
        notification_last_seq(user=user_id),
        notification_unread_count(user=user_id),
        socket_queries.replay_page(user_id=user_id, after_seq=after),
    )


def _read_first(tenant: Tenant, user: User) -> None:
    with tenant_context(tenant):
        socket_queries.mark_read(user_id=user.pk, seq=1)


def test_sessions_are_read_on_the_loop_only_from_the_database_engine() -> None:
    assert socket_sql.handles_sessions() is (
        settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    )
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache"):
        assert not socket_sql.handles_sessions()
