"""The reads every socket makes as it opens (its session and user at the handshake, its inbox
and what it missed at hello), made on the event loop itself: plain SQL on a few async psycopg
connections per process, every table named with the tenant's schema.

Why not the database threads (realtime.tenant_db) like the rest: in a reconnect storm each
socket made three trips to a thread, and the hops (futures, wake-ups, the GIL handed back and
forth), the ORM building each query and a health-check `SELECT 1` per trip cost more than the
queries (bench/README.md, "Where a storm's time went"). Here a query is one round trip from
the loop. Tenant safety does not rest on a search_path: the schema is in every statement
(quoted by psycopg.sql), so no connection state can leak between tenants.

The rule for who a session belongs to is Django's (`django.contrib.auth.get_user`), read-only:
the session row unexpired and correctly signed, its backend one of AUTHENTICATION_BACKENDS,
the user active, and the session's auth hash matching the user's password now (or a
SECRET_KEY_FALLBACKS one). Where Django would also write (rotate a fallback-signed session,
flush a stale one) the socket only reads; the next page view does the writing.
tests/realtime/test_socket_sql.py holds the two to the same answers, case by case."""

import asyncio
import json
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, NamedTuple

import psycopg
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from psycopg import sql

from accounts.language import reading_language
from accounts.models import User
from realtime.events import NotificationPayload
from realtime.models import Inbox, Notification
from realtime.selectors import REPLAY_PAGE
from realtime.services import payload_of
from realtime.socket_queries import DB_SESSIONS
from tenants.clock import tenant_zone
from tenants.models import Tenant


def handles_sessions() -> bool:
    """Sessions kept in the database (the product's setting) are read here; another engine
    is read through realtime.tenant_db and Django's own store."""
    return bool(settings.SESSION_ENGINE == DB_SESSIONS)


# --- connections ---------------------------------------------------------------------------


class _Connections:
    """Up to AVISO_WS_DB_CONNECTIONS connections of one event loop, reused. Not psycopg_pool:
    its pools run maintenance tasks that must be stopped with their loop, and these need none
    (a broken or interrupted connection is simply closed and replaced on the next use)."""

    def __init__(self, size: int) -> None:
        self.free: list[psycopg.AsyncConnection[Any]] = []
        self.slots = asyncio.Semaphore(size)


_by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Connections]" = (
    weakref.WeakKeyDictionary()
)


def _connections() -> _Connections:
    loop = asyncio.get_running_loop()
    found = _by_loop.get(loop)
    if found is None:
        found = _by_loop[loop] = _Connections(settings.AVISO_WS_DB_CONNECTIONS)
    return found


def _connect_params() -> dict[str, Any]:
    """Django's own parameters for the default database (name, credentials, timeouts,
    application_name, and its adapters: the same datetimes and JSON as the ORM reads)."""
    params = connections[DEFAULT_DB_ALIAS].get_connection_params()
    params.pop("cursor_factory", None)  # a sync cursor class; the async default fits
    return params


@asynccontextmanager
async def _connection() -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    pool = _connections()
    async with pool.slots:
        conn = pool.free.pop() if pool.free else None
        if conn is None or conn.closed:
            conn = await psycopg.AsyncConnection.connect(**_connect_params(), autocommit=True)
        try:
            yield conn
        except BaseException:
            # Failed, or cancelled mid-query (the client left): its state is unknown.
            await conn.close()
            raise
        pool.free.append(conn)


def drop_connections() -> None:
    """Close every loop's idle connections now, without a loop: a test's event loop ends
    with the test, and its connections must not outlive it (nor hold the test database)."""
    for pool in list(_by_loop.values()):
        for conn in pool.free:
            conn.pgconn.finish()
        pool.free.clear()
    _by_loop.clear()


def _table(schema: str, model: Any) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(model._meta.db_table))


# Each statement rendered once per schema: composing and quoting it on every call was a
# fifth of a query's cost on the loop. (Four short statements per tenant.)
_rendered: dict[tuple[str, str], bytes] = {}


def _query(name: str, schema: str, conn: psycopg.AsyncConnection[Any]) -> bytes:
    found = _rendered.get((name, schema))
    if found is None:
        found = _rendered[(name, schema)] = _STATEMENTS[name](schema).as_bytes(conn)
    return found


# --- the handshake: session → user ---------------------------------------------------------

_USER_FIELDS = list(User._meta.concrete_fields)
_USER_COLUMNS = sql.SQL(", ").join(sql.Identifier(f.column) for f in _USER_FIELDS)
_USER_ATTNAMES = [f.attname for f in _USER_FIELDS]


async def session_user(tenant: Tenant, *, session_key: str) -> User | None:
    """The active user of a session in `tenant`'s schema, or None: Django's rule (see the
    module's docstring) in two queries on the loop."""
    if not session_key:
        return None
    schema = tenant.schema_name
    async with _connection() as conn:
        row = await (
            await conn.execute(_query("session", schema, conn), [session_key, timezone.now()])
        ).fetchone()
        if row is None:
            return None
        session = SessionStore().decode(row[0])  # {} if the signature does not hold
        try:
            user_id = User._meta.pk.to_python(session[SESSION_KEY])
            backend = session[BACKEND_SESSION_KEY]
        except (KeyError, ValidationError):
            return None
        if backend not in settings.AUTHENTICATION_BACKENDS:
            return None
        values = await (await conn.execute(_query("user", schema, conn), [user_id])).fetchone()
    if values is None:
        return None
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_ATTNAMES, values)
    if not user.is_active or not _session_hash_holds(session.get(HASH_SESSION_KEY), user):
        return None
    return user


def _session_hash_holds(session_hash: str | None, user: User) -> bool:
    if not session_hash:
        return False
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return True
    return any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    )


# --- hello: the inbox and what was missed --------------------------------------------------


def _column(model: Any, field: str) -> sql.Identifier:
    return sql.Identifier(model._meta.get_field(field).column)


_PAGE_COLUMNS = ("seq", "type", "data", "created_at", "read_at")  # in _payload's order


def _hello_sql(schema: str) -> sql.Composed:
    """Last seq, unread count (the partial index notification_unread), the reader's stored
    language and the first replay page after %(after)s, in one statement (one snapshot, one
    round trip): one row per notification of the page, each carrying the three; a single
    row with an empty page when the client is up to date."""
    return sql.SQL(
        "SELECT h.last_seq, h.unread, h.language, {page_columns} FROM (SELECT "
        "(SELECT {last_seq} FROM {inbox} WHERE {inbox_user} = %(user)s) AS last_seq, "
        "(SELECT count(*) FROM {notification} WHERE {recipient} = %(user)s "
        "AND {read_at} IS NULL) AS unread, "
        "(SELECT {language} FROM {user} WHERE {user_id} = %(user)s) AS language) AS h "
        "LEFT JOIN LATERAL (SELECT {columns} FROM {notification} WHERE {recipient} = %(user)s "
        "AND {seq} > %(after)s ORDER BY {seq} LIMIT %(page)s) AS p ON true ORDER BY p.{seq}"
    ).format(
        page_columns=sql.SQL(", ").join(
            sql.SQL("p.{}").format(_column(Notification, c)) for c in _PAGE_COLUMNS
        ),
        columns=sql.SQL(", ").join(_column(Notification, c) for c in _PAGE_COLUMNS),
        seq=_column(Notification, "seq"),
        inbox=_table(schema, Inbox),
        last_seq=_column(Inbox, "last_seq"),
        inbox_user=_column(Inbox, "user"),
        notification=_table(schema, Notification),
        recipient=_column(Notification, "recipient"),
        read_at=_column(Notification, "read_at"),
        user=_table(schema, User),
        language=_column(User, "language"),
        user_id=sql.Identifier(User._meta.pk.column),
    )


def _page_sql(schema: str) -> sql.Composed:
    return sql.SQL("SELECT {} FROM {} WHERE {} = %s AND {} > %s ORDER BY {} LIMIT %s").format(
        sql.SQL(", ").join(_column(Notification, c) for c in _PAGE_COLUMNS),
        _table(schema, Notification),
        _column(Notification, "recipient"),
        _column(Notification, "seq"),
        _column(Notification, "seq"),
    )


def _session_sql(schema: str) -> sql.Composed:
    return sql.SQL(
        "SELECT session_data FROM {} WHERE session_key = %s AND expire_date > %s"
    ).format(_table(schema, Session))


def _user_sql(schema: str) -> sql.Composed:
    return sql.SQL("SELECT {} FROM {} WHERE {} = %s").format(
        _USER_COLUMNS, _table(schema, User), sql.Identifier(User._meta.pk.column)
    )


_STATEMENTS = {"session": _session_sql, "user": _user_sql, "hello": _hello_sql, "page": _page_sql}


class Hello(NamedTuple):
    after: int  # where the replay starts: the client's last seq, or 0 if it is ahead
    last_seq: int
    unread: int
    first_page: list[NotificationPayload]  # the first replay page; empty if up to date


async def hello_state(tenant: Tenant, *, user_id: int, after: int) -> Hello:
    """All a socket's hello reads, in one round trip (two for a client that remembers more
    than exists, a restored database: it starts over from 0): the inbox's last seq and unread
    count and, if the client is behind, the first replay page in the reader's language as
    stored now (what realtime.socket_queries.replay_page gives)."""
    schema = tenant.schema_name
    async with _connection() as conn:
        rows = await (
            await conn.execute(
                _query("hello", schema, conn),
                {"user": user_id, "after": after, "page": REPLAY_PAGE},
            )
        ).fetchall()
        last_seq, unread, own_language = rows[0][:3] if rows else (None, 0, None)
        last_seq = last_seq or 0
        page = [row[3:] for row in rows if row[3] is not None]
        if after > last_seq:
            after = 0
            page = []
            if last_seq:
                page = await (
                    await conn.execute(_query("page", schema, conn), [user_id, 0, REPLAY_PAGE])
                ).fetchall()
    language = reading_language(own_language, tenant)
    zone = tenant_zone(tenant)
    payloads = [_payload(r, language=language, zone=zone) for r in page]
    return Hello(after=after, last_seq=last_seq, unread=int(unread), first_page=payloads)


def _payload(row: tuple[Any, ...], *, language: str, zone: Any) -> NotificationPayload:
    seq, type_name, data, created_at, read_at = row
    return payload_of(
        seq=seq,
        type_name=type_name,
        # Django's adapters hand jsonb over as text, for the JSONField to parse: as it does.
        data=json.loads(data) if isinstance(data, str) else data,
        created_at=created_at,
        read_at=read_at,
        language=language,
        zone=zone,
    )
