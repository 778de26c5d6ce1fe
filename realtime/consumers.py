"""One WebSocket per open page. The socket delivers the user's notifications in seq order with
no gaps and no duplicates: on `hello {last_seq}` it replays from the database, then forwards
live copies, and whenever a live copy reveals a gap (or a periodic check finds the database
ahead, e.g. Redis was down at publish time) it replays the gap from the database."""

import asyncio
import contextlib
import logging
import time
import weakref
from typing import Any

from django.conf import settings

from config.outage import DATABASE_OUTAGE_ERRORS
from realtime import metrics
from realtime.groups import tenant_group, topic_group, user_group
from realtime.lifetime import OwnedTasksConsumer
from realtime.presence import SocketPresence, announce_presence_change
from realtime.protocol import (
    CLOSE_BUSY,
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
    inbox_state,
    mark_read,
    replay_page,
    session_is_valid,
)
from realtime.tenant_db import tenant_db
from realtime.topics import TopicDenied, TopicUnknown
from tenants.models import Tenant

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 20
# Handshakes of one process that may talk to Redis at once: the channel layer's connection
# pool raises (not waits) when exhausted, which a storm of thousands of reconnects did.
HANDSHAKE_REDIS_CONCURRENCY = 64
_gates: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)


def redis_gate() -> asyncio.Semaphore:
    """This event loop's limit on handshakes talking to Redis together."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(HANDSHAKE_REDIS_CONCURRENCY)
    return gate


class NotificationConsumer(OwnedTasksConsumer):
    """Its background tasks (keep_alive, the presence heartbeat) and its groups and presence
    end with the socket, however it ends (realtime.lifetime)."""

    socket_kind = "tenant"
    tenant: Tenant
    user_id: int
    session_key: str
    cursor: int | None  # highest seq sent to this client; None until its hello

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What release() reads, whatever point of connect() the socket ended at.
        self.own_groups: list[str] = []
        self.subscriptions: dict[tuple[str, int], str] = {}
        self.presence: SocketPresence | None = None
        self.staff = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.tenant = self.scope["tenant"]
        self.schema = self.tenant.schema_name
        self.cursor = None
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
        self.own_groups = [
            user_group(schema_name=self.schema, user_id=self.user_id),
            tenant_group(schema_name=self.schema),
        ]
        try:
            async with redis_gate():
                for group in self.own_groups:
                    await self.channel_layer.group_add(group, self.channel_name)
        except Exception:
            # Redis is down or saturated (a reconnect storm): ask the client to come back
            # later rather than failing the handshake with a 500 it would retry at once.
            logger.warning("joining groups failed; socket told to retry", exc_info=True)
            metrics.count_soon("ws.busy", schema=self.schema)
            self.own_groups = []
            await self.accept()
            await self.close(code=CLOSE_BUSY)
            return
        await self.accept()
        metrics.count_soon(metrics.WS_CONNECTED, schema=self.schema)
        self.presence = SocketPresence(
            schema_name=self.schema, user_id=self.user_id, channel=self.channel_name
        )
        await self.presence.start()
        self.spawn(self.presence.heartbeat(), role="presence")
        if user.is_tenant_staff:
            await announce_presence_change(schema_name=self.schema)
        self.spawn(self.keep_alive(), role="keep_alive")

    async def release(self) -> None:
        # Presence first: it is what others see (who is online, the open-socket figures).
        if self.presence:
            await self.presence.stop()
        if self.own_groups:
            metrics.count_soon(metrics.WS_DISCONNECTED, schema=self.schema)
        for group in [*self.own_groups, *self.subscriptions.values()]:
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(group, self.channel_name)
        if self.presence and self.staff:
            await announce_presence_change(schema_name=self.schema)

    # --- client → server -----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.own_groups:
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
        last_seq, unread = await tenant_db(inbox_state)(self.tenant, user_id=self.user_id)
        if after > last_seq:
            # The client remembers more than exists (e.g. a restored database): start over.
            after = 0
        async with self.delivery:
            self.cursor = after
            replayed = await self.replay()
        if replayed:
            metrics.count_soon("ws.replays", schema=self.schema)
            metrics.count_soon("ws.replayed_notifications", schema=self.schema, amount=replayed)
        await self.send(
            server_frame("ready", ref=ref, last_seq=self.cursor, unread=unread, replayed=replayed)
        )

    async def replay(self) -> int:
        """Send everything after the cursor from the database; caller holds self.delivery."""
        assert self.cursor is not None
        sent = 0
        while True:
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
        if (topic, object_id) not in self.subscriptions:
            await self.channel_layer.group_add(group, self.channel_name)
            self.subscriptions[(topic, object_id)] = group
        await self.send(server_frame("subscribed", ref=ref, topic=topic, object_id=object_id))

    async def unsubscribe(self, *, topic: str, params: dict[str, Any], ref: Any) -> None:
        object_id = params.get("object_id")
        group = (
            self.subscriptions.pop((topic, object_id), None) if isinstance(object_id, int) else None
        )
        if group is None:
            raise ProtocolError("not_subscribed", "no such subscription", ref)
        await self.channel_layer.group_discard(group, self.channel_name)
        await self.send(server_frame("unsubscribed", ref=ref, topic=topic, object_id=object_id))

    # --- server → client (group messages) ------------------------------------------------

    async def aviso_event(self, message: dict[str, Any]) -> None:
        try:
            await self.on_event(message)
        except DATABASE_OUTAGE_ERRORS as exc:  # a gap replay or a session check
            await self.close_for_database_outage(exc)

    async def on_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        kind = event["type"]
        if kind == "notification":
            await self.deliver(event["notification"], sent_at=message.get("sent_at"))
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
            if event.get("session_key") == self.session_key and not await tenant_db(
                session_is_valid
            )(self.tenant, session_key=self.session_key, user_id=self.user_id):
                await self.close(code=CLOSE_UNAUTHENTICATED)
        elif kind == "tenant.suspended":
            await self.close(code=CLOSE_SUSPENDED)

    async def deliver(self, payload: dict[str, Any], *, sent_at: float | None) -> None:
        async with self.delivery:
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

    # --- housekeeping --------------------------------------------------------------------

    async def keep_alive(self) -> None:
        """Periodically: catch up on anything Redis lost (the database is the record), and
        re-join groups so channels-redis's group expiry never silently drops a long socket."""
        interval = settings.AVISO_WS_RESYNC_SECONDS
        rejoin_every = max(1, int(settings.AVISO_WS_GROUP_REFRESH_SECONDS // interval))
        rounds = 0
        while True:
            await asyncio.sleep(interval)
            rounds += 1
            try:
                if self.cursor is not None:
                    last_seq, _ = await tenant_db(inbox_state)(self.tenant, user_id=self.user_id)
                    if last_seq > self.cursor:
                        async with self.delivery:
                            caught_up = await self.replay()
                        if caught_up:
                            metrics.count_soon("ws.resync_replays", schema=self.schema)
                if rounds % rejoin_every == 0:
                    for group in [*self.own_groups, *self.subscriptions.values()]:
                        await self.channel_layer.group_add(group, self.channel_name)
            except asyncio.CancelledError:
                raise
            except DATABASE_OUTAGE_ERRORS as exc:
                await self.close_for_database_outage(exc)
                return
            except Exception:
                logger.warning("keep-alive round failed", exc_info=True)
