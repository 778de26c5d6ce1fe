"""The operators' socket (wss://<public domain>/ws/operators/): live provisioning progress and
the monitoring panel, pushed in place of any polling.

Server → client frames (envelope as in docs/realtime-protocol.md):
  monitor       {"monitor": <console.monitor.Snapshot>} on connect and every few seconds
  provisioning  {"progress": {tenant_id, slug, percent, step, state, error} | null}
  pong          answer to ping
  error         {"code", "message"}
Client → server (parsed by realtime.protocol like the tenants' frames, version included):
ping; watch {"slug"} (answers the current provisioning state of that tenant, later steps
arrive as they happen); refresh (answers a monitor frame at once).

Only operators (console.access.is_operator) get in; anyone else is accepted and closed with
4401, like a tenant socket without a session. Signing out closes the operator's sockets of
that session at once (4401), like a tenant user's: the logout sends the same session.ended
control message (realtime.sessions) to the operator's group. The session is also re-checked
periodically, so being demoted or the session expiring ends the socket within seconds.

Like the tenants' socket, its background work (the session check) and its place in the
monitor broadcast end with it, however it ends (realtime.lifetime).

The panel's figures are computed once per tick per process by one producer task
(MonitorBroadcast), which runs while at least one operator socket of the process is open,
and the same frame goes to every one of them.
"""

import asyncio
import logging
from typing import Any

from django_tenants.utils import get_public_schema_name

from accounts.models import User
from config.outage import DATABASE_OUTAGE_ERRORS
from console.access import is_operator
from realtime import metrics
from realtime.groups import operator_group, operators_group
from realtime.lifetime import TASK_PREFIX, OwnedTasksConsumer
from realtime.presence import tunable_seconds
from realtime.protocol import (
    CLOSE_BUSY,
    CLOSE_UNAUTHENTICATED,
    BodyCheck,
    ClientMessage,
    ProtocolError,
    error_frame,
    parse_client_frame,
    server_frame,
)
from realtime.ratelimit import FrameGate, refuse_frame
from realtime.socket_queries import session_user
from realtime.tenant_db import public_db

logger = logging.getLogger(__name__)


def monitor_seconds() -> float:
    return tunable_seconds("AVISO_MONITOR_SECONDS", 2.0)


def session_check_seconds() -> float:
    return tunable_seconds("AVISO_OPERATOR_SESSION_CHECK_SECONDS", 10.0)


def operator_session_user(*, session_key: str) -> User | None:
    """The operator signed in with this session (sync, in the public schema), or None."""
    user = session_user(session_key=session_key)
    return user if is_operator(user) else None


def operator_session_is_valid(*, session_key: str, user_id: int) -> bool:
    user = operator_session_user(session_key=session_key)
    return user is not None and user.pk == user_id


def monitor_frame() -> str:
    """One monitor frame, ready to send (sync, in the public schema)."""
    from console.monitor import monitor_snapshot

    return server_frame("monitor", monitor=monitor_snapshot())


def _progress(*, slug: str) -> dict[str, Any] | None:
    from tenants.progress import progress_read

    progress = progress_read(slug=slug)
    return dict(progress) if progress else None


# --- client frames: the operators' own types on the tenants' envelope and parser -------------


def _no_body(message: ClientMessage) -> None:
    return None


def _watch(message: ClientMessage) -> None:
    slug = message.body.get("slug")
    if not isinstance(slug, str) or not slug or len(slug) > 64:
        raise ProtocolError("bad_request", "'slug' must be a tenant slug", message.ref)


OPERATOR_TYPES: dict[str, BodyCheck] = {"ping": _no_body, "refresh": _no_body, "watch": _watch}


# --- the panel: one producer per process -----------------------------------------------------


class MonitorBroadcast:
    """Computes the monitor frame once per tick and sends it to every operator socket of this
    process. Started by the first socket that joins, stopped when the last one leaves.

    Bound to one event loop: a socket joining from another loop (a test's fresh loop, never
    Daphne's single one) starts over, as the old loop's sockets and task are gone with it."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sockets: set[OperatorConsumer] = set()
        self.task: asyncio.Task[None] | None = None
        self.latest: str | None = None  # the last frame sent, for sockets joining mid-tick

    async def join(self, socket: "OperatorConsumer") -> None:
        loop = asyncio.get_running_loop()
        if loop is not self.loop:
            self.loop, self.sockets, self.task, self.latest = loop, set(), None, None
        self.sockets.add(socket)
        if self.task is None or self.task.done():
            self.task = loop.create_task(self.produce(), name=f"{TASK_PREFIX}monitor")
        elif self.latest is not None:
            # At most one tick old; the next tick brings the socket up to date with the rest.
            await socket.send(self.latest)

    def leave(self, socket: "OperatorConsumer") -> None:
        if asyncio.get_running_loop() is not self.loop:
            return
        self.sockets.discard(socket)
        if not self.sockets and self.task is not None:
            self.task.cancel()
            self.task, self.latest = None, None

    async def produce(self) -> None:
        while self.sockets:
            try:
                frame: str = await public_db(monitor_frame)()
                self.latest = frame
                await self.send_all(frame)
            except asyncio.CancelledError:
                raise
            except DATABASE_OUTAGE_ERRORS as exc:
                # Expected while PostgreSQL restarts: one line, the next round tries again.
                logger.warning("monitor round skipped: database unavailable (%s)", exc)
            except Exception:
                logger.warning("monitor round failed", exc_info=True)
            await asyncio.sleep(monitor_seconds())

    async def send_all(self, frame: str) -> None:
        for socket in list(self.sockets):
            try:
                await socket.send(frame)
            except Exception:
                # One socket's trouble (closing as we send) must not starve the others.
                logger.debug("monitor frame not sent to %s", socket.channel_name, exc_info=True)


monitor_broadcast = MonitorBroadcast()


class OperatorConsumer(OwnedTasksConsumer):
    socket_kind = "operator"
    user_id: int
    session_key: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups_joined: list[str] = []
        self.watching = False  # a member of monitor_broadcast

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.gate = FrameGate()
        if user is None:
            metrics.count_soon("ws.rejected.unauthenticated", schema=get_public_schema_name())
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.session_key = self.scope["session_key"]
        # All operators (provisioning progress), and this one (logout).
        for group in (operators_group(), operator_group(user_id=self.user_id)):
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        self.watching = True
        await monitor_broadcast.join(self)
        self.spawn(self.watch_session(), role="session_check")

    async def release(self) -> None:
        if self.watching:
            monitor_broadcast.leave(self)
        for group in self.groups_joined:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.debug("operators group discard failed", exc_info=True)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.groups_joined:
            return
        schema = get_public_schema_name()
        refusal = self.gate.check(text_data)
        if refusal is not None:
            await refuse_frame(self, refusal, schema=schema)
            return
        assert text_data is not None  # the gate refuses binary frames
        try:
            message = parse_client_frame(text_data, types=OPERATOR_TYPES)
        except ProtocolError as exc:
            metrics.count_soon(f"ws.error.{exc.code}", schema=schema)
            await self.send(error_frame(exc.code, exc.message, exc.ref))
            return
        try:
            await self.handle(message.type, message.body)
        except DATABASE_OUTAGE_ERRORS as exc:
            # As on the tenants' socket: PostgreSQL is unreachable, come back later (4503).
            logger.warning("database unavailable (%s); socket closed with 4503", type(exc).__name__)
            await self.close(code=CLOSE_BUSY)

    async def handle(self, kind: str, body: dict[str, Any]) -> None:
        if kind == "ping":
            await self.send(server_frame("pong"))
        elif kind == "refresh":
            await self.send(await public_db(monitor_frame)())
        elif kind == "watch":
            slug = body["slug"]
            progress = await public_db(_progress)(slug=slug)
            await self.send(server_frame("provisioning", slug=slug, progress=progress))

    async def watch_session(self) -> None:
        """Now and then make sure the operator is still signed in (and still an operator)."""
        while True:
            await asyncio.sleep(session_check_seconds())
            try:
                signed_in = await self.still_signed_in()
            except DATABASE_OUTAGE_ERRORS as exc:
                logger.warning("operator session check skipped: database unavailable (%s)", exc)
                continue
            except Exception:
                # The database hiccuped: keep the socket, ask again next time.
                logger.warning("operator session check failed", exc_info=True)
                continue
            if not signed_in:
                await self.close(code=CLOSE_UNAUTHENTICATED)
                return

    async def still_signed_in(self) -> bool:
        valid: bool = await public_db(operator_session_is_valid)(
            session_key=self.session_key, user_id=self.user_id
        )
        return valid

    async def aviso_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event.get("type") == "provisioning":
            progress = event["progress"]
            await self.send(server_frame("provisioning", slug=progress["slug"], progress=progress))
        elif (
            # Only the session named, and only once it is really gone, as on the tenants'
            # socket: a stale message must not close a live session.
            event.get("type") == "session.ended"
            and event.get("session_key") == self.session_key
            and not await self.still_signed_in()
        ):
            await self.close(code=CLOSE_UNAUTHENTICATED)
