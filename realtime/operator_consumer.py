"""The operators' socket (wss://<public domain>/ws/operators/): live provisioning progress and
the monitoring panel, pushed in place of any polling.

Server → client frames (envelope as in docs/realtime-protocol.md):
  monitor       {"monitor": <tenants.console_monitor.Snapshot>} on connect and every few seconds
  provisioning  {"progress": {tenant_id, slug, percent, step, state, error} | null}
  pong          answer to ping
  error         {"code", "message"}
Client → server: ping; watch {"slug"} (answers the current provisioning state of that tenant,
later steps arrive as they happen); refresh (answers a monitor frame at once).

Only operators (staff users of the public schema with the operator role) get in; anyone else
is accepted and closed with 4401, like a tenant socket without a session. The session is
re-checked periodically, so signing out or being demoted ends the socket within seconds.
"""

import asyncio
import json
import logging
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from accounts.models import User
from accounts.roles import Role
from realtime import metrics
from realtime.groups import operators_group
from realtime.presence import tunable_seconds
from realtime.protocol import (
    CLOSE_UNAUTHENTICATED,
    error_frame,
    server_frame,
)
from realtime.ratelimit import FrameGate, refuse_frame
from realtime.socket_queries import session_user
from realtime.tenant_db import public_db

logger = logging.getLogger(__name__)

PUBLIC = "public"


def monitor_seconds() -> float:
    return tunable_seconds("AVISO_MONITOR_SECONDS", 2.0)


def session_check_seconds() -> float:
    return tunable_seconds("AVISO_OPERATOR_SESSION_CHECK_SECONDS", 10.0)


def operator_session_user(*, session_key: str) -> User | None:
    """The operator signed in with this session (sync, in the public schema), or None."""
    user = session_user(session_key=session_key)
    if user is not None and user.is_staff and user.role == Role.OPERATOR:
        return user
    return None


def operator_session_is_valid(*, session_key: str, user_id: int) -> bool:
    user = operator_session_user(session_key=session_key)
    return user is not None and user.pk == user_id


def _snapshot() -> dict[str, Any]:
    from tenants.console_monitor import monitor_snapshot

    return dict(monitor_snapshot())


def _progress(*, slug: str) -> dict[str, Any] | None:
    from tenants.progress import progress_read

    progress = progress_read(slug=slug)
    return dict(progress) if progress else None


class OperatorConsumer(AsyncWebsocketConsumer):
    user_id: int
    session_key: str

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.joined = False
        self.ticker: asyncio.Task[None] | None = None
        self.gate = FrameGate()
        if user is None:
            metrics.count_soon("ws.rejected.unauthenticated", schema=PUBLIC)
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.session_key = self.scope["session_key"]
        await self.channel_layer.group_add(operators_group(), self.channel_name)
        self.joined = True
        await self.accept()
        self.ticker = asyncio.create_task(self.tick())

    async def disconnect(self, code: int) -> None:
        if self.ticker:
            self.ticker.cancel()
        if self.joined:
            try:
                await self.channel_layer.group_discard(operators_group(), self.channel_name)
            except Exception:
                logger.debug("operators group discard failed", exc_info=True)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.joined:
            return
        refusal = self.gate.check(text_data)
        if refusal is not None:
            await refuse_frame(self, refusal, schema=PUBLIC)
            return
        assert text_data is not None  # the gate refuses binary frames
        try:
            body = json.loads(text_data)
        except ValueError:
            await self.send(error_frame("bad_json", "the frame is not valid JSON"))
            return
        kind = body.get("type") if isinstance(body, dict) else None
        if kind == "ping":
            await self.send(server_frame("pong"))
        elif kind == "refresh":
            await self.send_monitor()
        elif kind == "watch" and isinstance(body.get("slug"), str) and len(body["slug"]) <= 64:
            progress = await public_db(_progress)(slug=body["slug"])
            await self.send(server_frame("provisioning", slug=body["slug"], progress=progress))
        else:
            await self.send(error_frame("bad_request", "expected ping, refresh or watch {slug}"))

    async def send_monitor(self) -> None:
        snapshot = await public_db(_snapshot)()
        await self.send(server_frame("monitor", monitor=snapshot))

    async def tick(self) -> None:
        """Push the panel's figures; now and then make sure the operator is still signed in."""
        interval = monitor_seconds()
        check_every = max(1, int(session_check_seconds() // interval))
        rounds = 0
        while True:
            try:
                if rounds % check_every == 0 and rounds and not await self.still_signed_in():
                    await self.close(code=CLOSE_UNAUTHENTICATED)
                    return
                await self.send_monitor()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("monitor round failed", exc_info=True)
            rounds += 1
            await asyncio.sleep(interval)

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
