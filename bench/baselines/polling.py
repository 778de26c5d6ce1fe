"""Polling baseline: `GET /poll?after=<seq>` answers the caller's notifications after `seq`
from the same Notification table Aviso writes, as JSON shaped like Aviso's frames.

Deliberately the cheapest honest polling server, so the comparison is a lower bound on
polling's cost: a bare ASGI app (no Django request stack), the tenant found from the Host
header and the user from the Django session cookie, both cached in the process after the
first request, then one indexed query per poll on a small pool of psycopg connections.
Serve it with Daphne: `daphne bench.baselines.polling:application` (DATABASE_URL as for
Aviso).
"""

import asyncio
import json
import os
from typing import Any
from urllib.parse import parse_qs

import django
import psycopg
from psycopg import sql

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

POOL_SIZE = 4
MAX_BATCH = 100

Scope = dict[str, Any]
Receive = Any
Send = Any


class Pool:
    """A fixed set of autocommit connections, opened on first use in the server's loop."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: asyncio.Queue[psycopg.AsyncConnection[Any]] | None = None
        self.opening = asyncio.Lock()

    async def connection(self) -> psycopg.AsyncConnection[Any]:
        async with self.opening:
            if self.idle is None:
                idle: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()
                for _ in range(self.size):
                    idle.put_nowait(
                        await psycopg.AsyncConnection.connect(
                            os.environ["DATABASE_URL"], autocommit=True
                        )
                    )
                self.idle = idle
        return await self.idle.get()

    def release(self, connection: psycopg.AsyncConnection[Any]) -> None:
        assert self.idle is not None
        self.idle.put_nowait(connection)


pool = Pool(POOL_SIZE)
schemas: dict[str, str | None] = {}  # host → schema
users: dict[tuple[str, str], int | None] = {}  # (schema, session key) → user id

TENANT_OF_HOST = """
    SELECT t.schema_name FROM public.tenants_domain d
    JOIN public.tenants_tenant t ON t.id = d.tenant_id
    WHERE d.domain = %s AND t.status = 'active'
"""


async def query(statement: sql.Composable | str, params: tuple[Any, ...]) -> list[Any]:
    connection = await pool.connection()
    try:
        cursor = await connection.execute(statement, params)  # type: ignore[arg-type]
        return await cursor.fetchall()
    finally:
        pool.release(connection)


async def schema_of(host: str) -> str | None:
    if host not in schemas:
        rows = await query(TENANT_OF_HOST, (host,))
        schemas[host] = rows[0][0] if rows else None
    return schemas[host]


async def user_of(schema: str, session_key: str) -> int | None:
    if (schema, session_key) not in users:
        statement = sql.SQL(
            "SELECT session_data FROM {}.django_session WHERE session_key = %s"
            " AND expire_date > now()"
        ).format(sql.Identifier(schema))
        rows = await query(statement, (session_key,))
        decoded = SessionStore().decode(rows[0][0]) if rows else {}
        user_id = decoded.get("_auth_user_id")
        users[(schema, session_key)] = int(user_id) if user_id else None
    return users[(schema, session_key)]


async def notifications_after(schema: str, user_id: int, after: int) -> list[dict[str, Any]]:
    statement = sql.SQL(
        "SELECT seq, type, data, created_at, read_at FROM {}.realtime_notification"
        " WHERE recipient_id = %s AND seq > %s ORDER BY seq LIMIT %s"
    ).format(sql.Identifier(schema))
    rows = await query(statement, (user_id, after, MAX_BATCH))
    return [
        {
            "seq": seq,
            "type": type_,
            "data": data,
            "created_at": created_at.isoformat(),
            "read": read_at is not None,
        }
        for seq, type_, data, created_at, read_at in rows
    ]


def cookie(headers: list[tuple[bytes, bytes]], name: str) -> str | None:
    for key, value in headers:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


async def respond(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        return
    if scope["type"] != "http" or scope["path"] != "/poll":
        await respond(send, 404, {"error": "not found"})
        return
    headers = scope["headers"]
    host = next((v.decode().split(":")[0] for k, v in headers if k == b"host"), "")
    schema = await schema_of(host)
    session_key = cookie(headers, "sessionid")
    user_id = await user_of(schema, session_key) if schema and session_key else None
    if schema is None or user_id is None:
        await respond(send, 403, {"error": "forbidden"})
        return
    try:
        after = int(parse_qs(scope["query_string"].decode()).get("after", ["0"])[0])
    except ValueError:
        await respond(send, 400, {"error": "after must be an integer"})
        return
    found = await notifications_after(schema, user_id, after)
    await respond(
        send, 200, {"notifications": found, "last_seq": found[-1]["seq"] if found else after}
    )
