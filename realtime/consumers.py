"""One WebSocket per open page. The socket delivers the user's notifications in seq order with
no gaps and no duplicates: on `hello {last_seq}` it replays from the database, then forwards
live copies, and whenever a live copy reveals a gap (or a periodic check finds the database
ahead, e.g. Redis was down at publish time) it replays the gap from the database."""

import asyncio
import logging
import time
from collections import deque
from typing import Any

from config.outage import DATABASE_OUTAGE_ERRORS
from realtime import metrics, socket_sql
from realtime.events import NotificationPayload
from realtime.groups import tenant_group, topic_group, user_group
from realtime.hub import Hub, HubUnavailable, hub, new_socket_id
from realtime.lifetime import OwnedTasksConsumer
from realtime.protocol import (
    CLOSE_ARCHIVED,
    CLOSE_BUSY,
    CLOSE_INTERNAL_ERROR,
    CLOSE_SUSPENDED,
    CLOSE_UNAUTHENTICATED,
    ClientMessage,
    ProtocolError,
    error_frame,
    parse_client_frame,
    server_frame,
)
from realtime.ratelimit import FrameGate, refuse_frame
from realtime.selectors import REPLAY_PAGE
from realtime.socket_queries import (
    authorize_topic,
    mark_read,
    replay_page,
    session_is_valid,
)
from realtime.tenant_db import tenant_db
from realtime.topics import TopicDenied, TopicUnknown
from tenants.models import Tenant

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 20
# Quick events: handled inline by the hub's dispatcher when nothing is queued before them.
QUICK_EVENTS = frozenset({"notification", "topic", "inbox.unread"})


class NotificationConsumer(OwnedTasksConsumer):
    """One page's socket. It has no channel-layer channel and no timers of its own: its
    process's hub (realtime.hub) hands it its events, checks its cursor against the database
    and keeps its presence, for all the process's sockets at once. Events are handled in
    order: inline when nothing is queued, otherwise by one drain task the socket owns (a
    replay from the database, a session check, a close), so the hub never waits on the
    database for one socket. Its tasks, hub membership and presence end with the socket,
    however it ends (realtime.lifetime)."""

    # Not a configured layer: Channels then gives the socket no channel and no receive loop.
    channel_layer_alias = "aviso.hub"
    socket_kind = "tenant"
    tenant: Tenant
    user_id: int
    session_key: str
    cursor: int | None  # highest seq sent to this client; None until its hello

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.socket_id = self.channel_name = new_socket_id()
        # What release() reads, whatever point of connect() the socket ended at.
        self.own_groups: list[str] = []
        self.subscriptions: dict[tuple[str, int], str] = {}
        self.hub: Hub | None = None
        self.staff = False
        self.cursor = None
        # Events waiting for the drain task. Made on first use: most sockets never queue, and
        # an empty deque is 760 bytes (2 % of a socket; bench/README.md "Memory per socket").
        self.pending: deque[tuple[dict[str, Any] | None, float | None]] | None = None
        self.draining = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.tenant = self.scope["tenant"]
        self.schema = self.tenant.schema_name
        self.delivery = asyncio.Lock()
        self.gate = FrameGate()
        if user is None:
            metrics.count_soon("ws.rejected.unauthenticated", schema=self.schema)
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.staff = user.is_tenant_staff
        self.session_key = self.scope["session_key"]
        groups = [
            user_group(schema_name=self.schema, user_id=self.user_id),
            tenant_group(schema_name=self.schema),
        ]
        the_hub = hub()
        try:
            await the_hub.join(self, groups)
        except HubUnavailable:
            # Redis is down or saturated (a reconnect storm): ask the client to come back
            # later rather than failing the handshake with a 500 it would retry at once.
            logger.warning("subscribing the tenant failed; socket told to retry", exc_info=True)
            metrics.count_soon("ws.busy", schema=self.schema)
            await self.accept()
            await self.close(code=CLOSE_BUSY)
            return
        self.hub, self.own_groups = the_hub, groups
        await self.accept()
        metrics.count_soon(metrics.WS_CONNECTED, schema=self.schema)
        await the_hub.presence_join(self)

    async def release(self) -> None:
        if self.hub is None:
            return
        # Out of the hub first: nothing more is handed to a socket that is going.
        self.hub.leave(self, [*self.own_groups, *self.subscriptions.values()])
        metrics.count_soon(metrics.WS_DISCONNECTED, schema=self.schema)
        # Presence last but awaited: who is online is what others see.
        await self.hub.presence_leave(self)

    # --- client → server -----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.hub is None:
            return
        refusal = self.gate.check(text_data)
        if refusal is not None:
            await refuse_frame(self, refusal, schema=self.schema)
            return
        assert text_data is not None  # the gate refuses binary frames
        try:
            message = parse_client_frame(text_data)
            await self.handle(message)
        except ProtocolError as exc:
            metrics.count_soon(f"ws.error.{exc.code}", schema=self.schema)
            await self.send(error_frame(exc.code, exc.message, exc.ref))
        except DATABASE_OUTAGE_ERRORS as exc:
            await self.close_for_database_outage(exc)

    async def close_for_database_outage(self, exc: Exception) -> None:
        """PostgreSQL is unreachable (a restart): the socket cannot replay or answer, so the
        client is told to come back later (4503) and resumes with hello {last_seq} then."""
        logger.warning("database unavailable (%s); socket closed with 4503", type(exc).__name__)
        metrics.count_soon("ws.busy", schema=self.schema)
        await self.close(code=CLOSE_BUSY)

    async def handle(self, message: ClientMessage) -> None:
        body, ref = message.body, message.ref
        if message.type == "ping":
            await self.send(server_frame("pong", ref=ref, last_seq=self.cursor))
        elif message.type == "hello":
            if self.cursor is not None:
                raise ProtocolError("already_started", "hello was already received", ref)
            await self.start(after=body["last_seq"], ref=ref)
        elif self.cursor is None:
            raise ProtocolError("not_ready", "send hello first", ref)
        elif message.type == "mark_read":
            unread = await tenant_db(mark_read)(self.tenant, user_id=self.user_id, seq=body["seq"])
            await self.send(server_frame("unread", ref=ref, unread=unread))
        elif message.type == "mark_all_read":
            unread = await tenant_db(mark_read)(self.tenant, user_id=self.user_id, seq=None)
            await self.send(server_frame("unread", ref=ref, unread=unread))
        elif message.type == "subscribe":
            await self.subscribe(topic=body["topic"], params=body.get("params", {}), ref=ref)
        elif message.type == "unsubscribe":
            await self.unsubscribe(topic=body["topic"], params=body.get("params", {}), ref=ref)

    async def start(self, *, after: int, ref: Any) -> None:
        # The delivery lock is held from the read on: live copies arriving meanwhile wait for
        # the cursor instead of being dropped as "before hello".
        async with self.delivery:
            hello = await socket_sql.hello_state(self.tenant, user_id=self.user_id, after=after)
            self.cursor = hello.after
            # Up to date (most reconnects): the one query above and no replay.
            replayed = await self.replay(first_page=hello.first_page) if hello.first_page else 0
        if replayed:
            metrics.count_soon("ws.replays", schema=self.schema)
            metrics.count_soon("ws.replayed_notifications", schema=self.schema, amount=replayed)
        await self.send(
            server_frame(
                "ready", ref=ref, last_seq=self.cursor, unread=hello.unread, replayed=replayed
            )
        )

    async def replay(self, *, first_page: list[NotificationPayload] | None = None) -> int:
        """Send everything after the cursor from the database (starting with `first_page` if
        it was read already); caller holds self.delivery."""
        assert self.cursor is not None
        sent = 0
        page = first_page
        while True:
            if page is None:
                page = await tenant_db(replay_page)(
                    self.tenant, user_id=self.user_id, after_seq=self.cursor
                )
            for payload in page:
                await self.send(server_frame("notification", notification=payload))
                self.cursor = payload["seq"]
                sent += 1
            if len(page) < REPLAY_PAGE:
                if sent:
                    metrics.count_soon(metrics.DELIVERED, schema=self.schema, amount=sent)
                return sent
            page = None

    async def subscribe(self, *, topic: str, params: dict[str, Any], ref: Any) -> None:
        if len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise ProtocolError("too_many", f"at most {MAX_SUBSCRIPTIONS} subscriptions", ref)
        try:
            object_id = await tenant_db(authorize_topic)(
                self.tenant, user_id=self.user_id, topic=topic, params=params
            )
        except TopicUnknown:
            raise ProtocolError("unknown_topic", "no such topic", ref) from None
        except TopicDenied as exc:
            metrics.count_soon("ws.forbidden", schema=self.schema)
            raise ProtocolError("forbidden", str(exc) or "not allowed", ref) from None
        group = topic_group(schema_name=self.schema, topic=topic, object_id=object_id)
        if (topic, object_id) not in self.subscriptions and self.hub is not None:
            self.hub.add(self, group)
            self.subscriptions[(topic, object_id)] = group
        await self.send(server_frame("subscribed", ref=ref, topic=topic, object_id=object_id))

    async def unsubscribe(self, *, topic: str, params: dict[str, Any], ref: Any) -> None:
        object_id = params.get("object_id")
        group = (
            self.subscriptions.pop((topic, object_id), None) if isinstance(object_id, int) else None
        )
        if group is None:
            raise ProtocolError("not_subscribed", "no such subscription", ref)
        if self.hub is not None:
            self.hub.discard(self, group)
        await self.send(server_frame("unsubscribed", ref=ref, topic=topic, object_id=object_id))

    # --- server → client (from the hub) -------------------------------------------------

    async def take(self, event: dict[str, Any], sent_at: float | None) -> None:
        """The hub hands over one live event. Handled now if it is quick and nothing is
        queued before it (no waiting: sending a frame does not suspend); else queued for the
        socket's drain task, which keeps the order."""
        if self.ended:
            return
        try:
            if self.pending or self.delivery.locked() or not self._quick(event):
                self._queue(event, sent_at)
                return
            async with self.delivery:
                await self.on_event(event, sent_at=sent_at)
        except Exception:
            logger.exception("socket %s could not handle an event", self.socket_id)
            self.spawn(self.close(code=CLOSE_INTERNAL_ERROR), role="close")

    def _quick(self, event: dict[str, Any]) -> bool:
        kind = event.get("type")
        if kind not in QUICK_EVENTS:
            return False
        if kind != "notification":
            return True
        # In order, or a duplicate (dropped); a gap needs a replay from the database.
        return self.cursor is not None and event["notification"]["seq"] <= self.cursor + 1

    def catch_up(self) -> None:
        """The hub found the database ahead of this socket (Redis lost a copy)."""
        if not self.pending or (None, None) not in self.pending:
            self._queue(None, None)

    def _queue(self, event: dict[str, Any] | None, sent_at: float | None) -> None:
        if self.pending is None:
            self.pending = deque()
        self.pending.append((event, sent_at))
        self._drain_soon()

    def _drain_soon(self) -> None:
        if not self.draining:
            self.draining = True
            self.spawn(self._drain(), role="deliver")

    async def _drain(self) -> None:
        try:
            while self.pending:  # (a deque once anything was queued)
                event, sent_at = self.pending.popleft()
                async with self.delivery:
                    if event is None:
                        if self.cursor is not None and await self.replay():
                            metrics.count_soon("ws.resync_replays", schema=self.schema)
                    else:
                        await self.on_event(event, sent_at=sent_at)
        except DATABASE_OUTAGE_ERRORS as exc:  # a gap replay or a session check
            await self.close_for_database_outage(exc)
        except Exception:
            logger.exception("socket %s could not handle an event", self.socket_id)
            await self.close(code=CLOSE_INTERNAL_ERROR)
        finally:
            self.draining = False
            if not self.pending:
                self.pending = None  # drained: give the deque back

    async def on_event(self, event: dict[str, Any], *, sent_at: float | None) -> None:
        """Caller holds self.delivery."""
        kind = event["type"]
        if kind == "notification":
            await self.deliver(event["notification"], sent_at=sent_at)
        elif kind == "topic":
            key = (event["topic"], event["object_id"])
            if key in self.subscriptions:
                await self.send(
                    server_frame(
                        "event",
                        topic=event["topic"],
                        object_id=event["object_id"],
                        event=event["event"],
                    )
                )
        elif kind == "inbox.unread":
            await self.send(server_frame("unread", unread=event["unread"]))
        elif kind == "session.ended":
            # No key: every session of the user may have ended (sign out everywhere).
            mine = event.get("session_key", self.session_key) == self.session_key
            if mine and not await tenant_db(session_is_valid)(
                self.tenant, session_key=self.session_key, user_id=self.user_id
            ):
                await self.close(code=CLOSE_UNAUTHENTICATED)
        elif kind == "tenant.suspended":
            await self.close(code=CLOSE_SUSPENDED)
        elif kind == "tenant.archived":
            await self.close(code=CLOSE_ARCHIVED)

    async def deliver(self, payload: dict[str, Any], *, sent_at: float | None) -> None:
        """Caller holds self.delivery."""
        if self.cursor is None or payload["seq"] <= self.cursor:
            return  # before hello (the replay will include it) or a duplicate
        if payload["seq"] == self.cursor + 1:
            await self.send(server_frame("notification", notification=payload))
            self.cursor = payload["seq"]
            metrics.count_soon(metrics.DELIVERED, schema=self.schema)
        else:
            metrics.count_soon("ws.gap_replays", schema=self.schema)
            await self.replay()
        if sent_at:
            metrics.observe_latency_soon(time.time() - sent_at, schema=self.schema)
