"""The WebSocket stack. A tenant's socket is admitted by one layer, TenantSocketGate, in steps:

1. Host: the Host header must name an active school or clinic (Domain table); unknown hosts,
   the public site, the template, suspended or provisioning tenants are refused.
2. Origin: the Origin header must be one of *that tenant's* domains.
3. Session: the session cookie is looked up in the tenant's own schema.
4. Path: /ws/ → NotificationConsumer; any other path is refused.

One layer rather than a middleware per step: every layer of an ASGI stack stays on a socket's
stack for as long as the socket lives, with its own copy of the scope, and the outage guard's
wrapped receive and send sat in the path of every frame. Taking them (and Channels'
URLRouter) out took 38.3 → 33.0 KiB a socket at 10,000 (bench/README.md, "Memory per
socket").

The operators' site (the public tenant's host) has its own stack (console.routing), entered
from step 1: Origin (a public-site domain), the operators' session (looked up in the public
schema, must belong to an operator), then /ws/operators/ → console.consumers.OperatorConsumer.
Every other path on that host is refused like an unknown one.

Refusals in 1, 2 and 4 happen before the handshake completes (the client sees HTTP 403); a
missing or ended session is accepted and closed with 4401, so browsers can tell "log in
again" apart. If PostgreSQL cannot be reached for one of these lookups, the socket is
accepted and closed with 4503 (retry later), not failed with a 500: the gate's steps for a
tenant's socket, DatabaseOutageGuard around the operators' stack.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from accounts.language import language_for
from config.outage import DATABASE_OUTAGE_ERRORS
from realtime import metrics, socket_sql
from realtime.hub import on_control
from realtime.protocol import CLOSE_BUSY
from realtime.socket_queries import session_user
from realtime.tenant_db import public_db, tenant_db
from tenants.models import Tenant
from tenants.selectors import host_to_domain, tenant_and_domains_for_host

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def refuse(scope: Scope, receive: Receive, send: Send, *, reason: str, schema: str) -> None:
    """Close before accepting: Daphne answers the handshake with HTTP 403."""
    logger.info("websocket refused (%s) host=%s", reason, header(scope, b"host"))
    metrics.count_soon(f"ws.rejected.{reason}", schema=schema)
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


async def answer_busy(
    receive: Receive, send: Send, exc: BaseException, *, connect_received: bool = False
) -> None:
    """A handshake met a database outage: tell the client to come back later (4503, like a
    Redis outage) instead of letting Daphne answer 500, which browsers retry at once."""
    logger.warning(
        "websocket handshake met a database outage (%s); closed with %d",
        type(exc).__name__,
        CLOSE_BUSY,
    )
    metrics.count_soon("ws.busy")
    if not connect_received:
        await receive()  # websocket.connect comes first; a close can only follow it
    # A close code reaches the client only after the handshake completed.
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": CLOSE_BUSY})


class DatabaseOutageGuard:
    """answer_busy() for an application whose lookups happen anywhere before it answers the
    handshake (the operators' stack); the tenants' gate guards its own lookups. The consumers
    handle their own database calls."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        connect_received = False
        answered = False  # accepted or closed: the handshake has been answered

        async def tracked_receive() -> dict[str, Any]:
            nonlocal connect_received
            message = await receive()
            connect_received = connect_received or message["type"] == "websocket.connect"
            return message

        async def tracked_send(message: dict[str, Any]) -> None:
            nonlocal answered
            answered = answered or message["type"] in ("websocket.accept", "websocket.close")
            await send(message)

        try:
            await self.app(scope, tracked_receive, tracked_send)
        except DATABASE_OUTAGE_ERRORS as exc:
            if answered:
                raise  # the socket is past its handshake: not this guard's business
            await answer_busy(receive, send, exc, connect_received=connect_received)


# Handshakes come in storms (every page of a school reconnecting after a deploy) and the
# tenant registry rarely changes: each process remembers the hosts of active tenants for a
# while, and forgets them all at once when a tenant's status or domains change (a control
# message from realtime.sessions.tenant_registry_changed, heard by every process's hub).
HOST_CACHE_SECONDS = 60.0
HostLookup = tuple[Tenant | None, list[str]]
_known_hosts: dict[str, tuple[float, Tenant, list[str]]] = {}
# A fresh process in a storm gets thousands of handshakes for a handful of hosts at once:
# one lookup per host is in flight at a time, the others wait for it (before, each looked
# the host up itself: a sixth of a storm's samples in a py-spy profile).
_lookups: dict[tuple[asyncio.AbstractEventLoop, str], "asyncio.Task[HostLookup]"] = {}
# Bumped by every forget: a lookup that started before it must not refill the cache.
_generation = 0


def forget_known_hosts(_event: dict[str, Any] | None = None) -> None:
    global _generation
    _generation += 1
    _known_hosts.clear()


on_control(forget_known_hosts)


async def tenant_for_socket(host: str) -> HostLookup:
    known = _known_hosts.get(host)
    if known is not None and known[0] > time.monotonic():
        return known[1], known[2]
    loop = asyncio.get_running_loop()
    key = (loop, host)
    lookup = _lookups.get(key)
    if lookup is None:
        lookup = _lookups[key] = loop.create_task(_look_up(host))
        lookup.add_done_callback(lambda _done: _lookups.pop(key, None))
    # Shielded: a handshake that gives up must not cancel the others' lookup.
    return await asyncio.shield(lookup)


async def _look_up(host: str) -> HostLookup:
    generation = _generation
    tenant, domains = await public_db(tenant_and_domains_for_host)(host=host)
    fresh = generation == _generation
    if fresh and tenant is not None and (tenant.is_active or tenant.is_public):
        _known_hosts[host] = (time.monotonic() + HOST_CACHE_SECONDS, tenant, domains)
    return tenant, domains


@dataclass(frozen=True)
class Refusal:
    reason: str
    schema: str


class TenantSocketGate:
    """Admits a tenant's socket (the module's steps 1-4) and runs its consumer with one scope
    that carries the tenant, its domains, the user, the session key and the reader's language
    (accounts.language.language_for: what the socket renders for them is in it). Sessions and
    users are read inside the tenant's schema, every time (Channels' AuthMiddlewareStack reads
    them in whatever schema the database thread was left in)."""

    def __init__(self, consumer: ASGIApp, *, path: str, operators: ASGIApp | None = None) -> None:
        self.consumer = consumer
        self.path = path
        self.operators = operators

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            admitted = await self.admit(scope)
        except DATABASE_OUTAGE_ERRORS as exc:
            return await answer_busy(receive, send, exc)
        if isinstance(admitted, Refusal):
            return await refuse(
                scope, receive, send, reason=admitted.reason, schema=admitted.schema
            )
        app, admitted_scope = admitted
        del scope  # the socket keeps one copy of its scope: its consumer's
        return await app(admitted_scope, receive, send)

    async def admit(self, scope: Scope) -> "tuple[ASGIApp, Scope] | Refusal":
        tenant, domains = await tenant_for_socket(header(scope, b"host") or "")
        is_public = tenant is not None and tenant.is_public
        if is_public and self.operators is not None:
            return self.operators, {**scope, "tenant": tenant, "tenant_domains": domains}
        if tenant is None or is_public or not tenant.is_active:
            schema = tenant.schema_name if tenant else "-"
            return Refusal("unknown_host" if tenant is None else "tenant_inactive", schema)
        if not origin_allowed(scope, domains):
            return Refusal("bad_origin", tenant.schema_name)
        if scope.get("path") != self.path:
            return Refusal("unknown_path", tenant.schema_name)
        session_key = session_key_of(scope)
        if socket_sql.handles_sessions():
            user = await socket_sql.session_user(tenant, session_key=session_key)
        else:
            user = await tenant_db(session_user)(tenant, session_key=session_key)
        return self.consumer, {
            **scope,
            "tenant": tenant,
            "tenant_domains": domains,
            "user": user,
            "session_key": session_key,
            "language": language_for(user, tenant),
        }


def origin_allowed(scope: Scope, domains: list[str]) -> bool:
    """The socket's Origin is one of `domains` (the tenant's, or the public site's)."""
    origin = header(scope, b"origin")
    origin_host = host_to_domain(urlsplit(origin).netloc) if origin else None
    return origin_host is not None and origin_host in domains


class OriginMiddleware:
    """Step 2 for the operators' stack (console.routing)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not origin_allowed(scope, scope["tenant_domains"]):
            return await refuse(
                scope, receive, send, reason="bad_origin", schema=scope["tenant"].schema_name
            )
        return await self.app(scope, receive, send)


def session_key_of(scope: Scope) -> str:
    cookies = SimpleCookie()
    raw = header(scope, b"cookie")
    if raw:
        try:
            cookies.load(raw)
        except Exception:
            cookies = SimpleCookie()
    morsel = cookies.get(settings.SESSION_COOKIE_NAME)
    return morsel.value if morsel else ""


def websocket_application(*, operators: ASGIApp | None = None) -> ASGIApp:
    """The tenants' socket stack; `operators` (console.routing) serves the public site's host,
    which is otherwise refused like an inactive tenant."""
    from realtime.consumers import NotificationConsumer

    return TenantSocketGate(NotificationConsumer.as_asgi(), path="/ws/", operators=operators)
