"""One delivery hub per Daphne process (per event loop), as Centrifugo keeps one hub per node.

Before this, every socket had its own channel-layer channel, joined two Redis groups, ran a
resync query every 30 s and a presence heartbeat every 15 s, and a notification to 1,000
people was 1,000 `group_send`s. Now:

- A tenant's live events travel on ONE Redis Pub/Sub channel per tenant (`rt:<schema>`); a
  process subscribes to it while it holds a socket of that tenant. A notify to 1,000 people is
  one PUBLISH carrying the notification rendered once per language among the recipients and
  the (user, seq, language) triples; each process fans out to its own sockets from a local map
  of group name → sockets.
- The database stays the record: a per-process cursor check asks each tenant's inboxes once
  per interval for every local socket (one query per tenant, whatever the socket count), and
  catches up any socket that is behind; the same check runs at once after Redis comes back
  or after live copies were dropped because this process fell behind (`capacity`, like the
  channel layer's).
- Presence is written for all local sockets in one pipeline per heartbeat; joins and leaves in
  the same moment share one write, and the "someone came or went" topic event is sent once
  per tenant per write.

Sockets talk to the hub through `HubMember` (realtime.consumers.NotificationConsumer).
"""

import asyncio
import contextlib
import itertools
import json
import logging
import os
import socket
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import redis.asyncio as aioredis
from django.conf import settings

from config.outage import DATABASE_OUTAGE_ERRORS
from config.redis import realtime_redis_url, redis_client, redis_key
from realtime import metrics
from realtime.presence import PRESENCE_TOPIC, heartbeat_seconds, presence_key, ttl_seconds
from tenants.models import Tenant

logger = logging.getLogger(__name__)

CONTROL = "rt-control"  # process-wide control messages (tenant registry changes)
# How long a join waits for the hub's Redis connection (a fresh process) before the socket is
# told to come back later (4503).
SUBSCRIBE_SECONDS = 5.0
RECONNECT_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
# Events handled before the dispatcher lets sockets' own frames run.
DISPATCH_SLICE = 256
# A tenant with no local socket stays subscribed this long (reconnect storms come back).
UNSUBSCRIBE_AFTER_SECONDS = 60.0
# User ids per cursor-check query.
CURSOR_CHECK_CHUNK = 5000


class HubUnavailable(Exception):
    """The hub could not subscribe to the tenant's channel (Redis down or saturated)."""


class HubMember(Protocol):
    socket_id: str
    tenant: Tenant
    schema: str
    user_id: int
    staff: bool
    cursor: int | None

    async def take(self, event: dict[str, Any], sent_at: float | None) -> None:
        """Handle one live event, in order; must not wait on the database."""

    def catch_up(self) -> None:
        """Replay from the database whatever this socket has not seen."""

    async def close_for_database_outage(self, exc: Exception) -> None:
        """Close with 4503: the client comes back later."""


def tenant_channel(schema_name: str) -> str:
    return redis_key("rt", schema_name)


def control_channel() -> str:
    return redis_key(CONTROL)


def schema_of_group(group: str) -> str | None:
    """The tenant schema a tenant group name starts with ("t.<schema>.…"), else None."""
    if not group.startswith("t."):
        return None
    schema, _, rest = group[2:].partition(".")
    return schema if rest else None


def encode(messages: Sequence[tuple[str, Any]], sent_at: float) -> str:
    return json.dumps({"at": sent_at, "m": messages}, separators=(",", ":"))


def redis_for_hub() -> "aioredis.Redis":
    return aioredis.Redis.from_url(
        realtime_redis_url(),
        decode_responses=True,
        socket_connect_timeout=5,
        socket_keepalive=True,
        health_check_interval=15,
        max_connections=32,
    )


# Listeners of control messages (realtime.asgi's tenant cache), called on the event loop.
_control_listeners: list[Callable[[dict[str, Any]], None]] = []


def on_control(listener: Callable[[dict[str, Any]], None]) -> None:
    _control_listeners.append(listener)


def notify_control(event: dict[str, Any]) -> None:
    for listener in _control_listeners:
        try:
            listener(event)
        except Exception:
            logger.exception("control listener failed")


_process_id = f"{socket.gethostname()}.{os.getpid()}"
_socket_numbers = itertools.count(1)


def new_socket_id() -> str:
    """Unique across processes and restarts: names the socket in presence and task names."""
    return f"hub.{_process_id}.{int(time.time())}.{next(_socket_numbers)}"


class Hub:
    def __init__(self) -> None:
        self.groups: dict[str, set[HubMember]] = {}
        self.by_schema: dict[str, set[HubMember]] = {}
        self.tenants: dict[str, Tenant] = {}
        self.redis = redis_for_hub()
        self.pubsub: Any = None
        self.wanted: set[str] = set()  # tenants whose channel this hub subscribes to
        self.empty_since: dict[str, float] = {}
        self.backlog: deque[tuple[str, dict[str, Any], float | None]] = deque()
        self.wakeup = asyncio.Event()
        self.capacity = int(settings.AVISO_HUB_CAPACITY)
        self.connected = asyncio.Event()
        self.failed = asyncio.Event()  # the last attempt to reach Redis failed
        # presence changes waiting for the next write (realtime.presence's sorted sets)
        self.presence_lock = threading.Lock()
        self.presence_add: dict[str, set[str]] = {}
        self.presence_remove: dict[str, set[str]] = {}
        self.presence_changed: set[str] = set()
        self.presence_waiters: list[asyncio.Future[None]] = []
        self.presence_write_queued = False
        self.presence_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presence")
        self.tasks: set[asyncio.Task[Any]] = set()
        for work, name in (
            (self._listen(), "listen"),
            (self._dispatch(), "dispatch"),
            (self._heartbeat(), "heartbeat"),
            (self._cursor_checks(), "cursor-check"),
        ):
            self._spawn(work, name)

    def _spawn(self, work: Any, name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work, name=f"aviso.hub:{name}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    # --- membership ----------------------------------------------------------------------

    async def join(self, member: HubMember, groups: Iterable[str]) -> None:
        """Deliver these groups' events to `member`; raises HubUnavailable if the tenant's
        channel cannot be subscribed (the member is then not joined)."""
        schema = member.schema
        await self._subscribe(schema)
        self.tenants[schema] = member.tenant
        self.by_schema.setdefault(schema, set()).add(member)
        self.empty_since.pop(schema, None)
        for group in groups:
            self.groups.setdefault(group, set()).add(member)

    def add(self, member: HubMember, group: str) -> None:
        """An extra group (a topic subscription) of a member already joined."""
        self.groups.setdefault(group, set()).add(member)

    def discard(self, member: HubMember, group: str) -> None:
        members = self.groups.get(group)
        if members is not None:
            members.discard(member)
            if not members:
                del self.groups[group]

    def leave(self, member: HubMember, groups: Iterable[str]) -> None:
        for group in groups:
            self.discard(member, group)
        members = self.by_schema.get(member.schema)
        if members is not None:
            members.discard(member)
            if not members:
                del self.by_schema[member.schema]
                self.empty_since[member.schema] = time.monotonic()

    def local_sockets(self) -> int:
        return sum(len(members) for members in self.by_schema.values())

    # --- Redis Pub/Sub -------------------------------------------------------------------

    async def _subscribe(self, schema: str) -> None:
        """Ask for the tenant's channel; raise HubUnavailable if Redis cannot be reached now.

        The join does not wait for Redis to confirm the subscription: in a reconnect storm a
        fresh process has thousands of handshakes on its loop, and waiting made them time out
        and back off for half a minute. What is published before the subscription takes
        effect is not lost: the confirmation triggers a cursor check of the tenant's sockets
        (`_received`), and a socket that says hello after it replays from the database."""
        if not self.connected.is_set():
            await self._wait_for_redis()
        if schema not in self.wanted:
            self.wanted.add(schema)
            try:
                await self.pubsub.subscribe(tenant_channel(schema))
            except Exception as exc:
                self.wanted.discard(schema)
                raise HubUnavailable(str(exc)) from exc

    async def _wait_for_redis(self) -> None:
        """Until the listener is connected (a fresh hub, or Redis coming back); raise at once
        if its last attempt failed: the client should come back later, not wait."""
        if self.failed.is_set():
            raise HubUnavailable("Redis is unreachable")
        waits = [asyncio.ensure_future(e.wait()) for e in (self.connected, self.failed)]
        try:
            await asyncio.wait(waits, timeout=SUBSCRIBE_SECONDS, return_when="FIRST_COMPLETED")
        finally:
            for wait in waits:
                wait.cancel()
        if not self.connected.is_set() or self.pubsub is None:
            raise HubUnavailable("Redis is unreachable")

    async def _listen(self) -> None:
        attempt = 0
        while True:
            try:
                await self._connect()
                self.failed.clear()
                attempt = 0
                while True:
                    # Messages already read from the socket come back without a pause, so what
                    # piled up while this process was stalled lands in the backlog at once,
                    # and beyond `capacity` it is dropped for the database to fill.
                    message = await self.pubsub.get_message(timeout=5.0)
                    if message is not None:
                        self._received(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("hub lost Redis; reconnecting", exc_info=True)
                metrics.count_soon("hub.redis_lost")
                await self._disconnect()
                self.failed.set()
                delay = RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)]
                attempt += 1
                await asyncio.sleep(delay)

    async def _connect(self) -> None:
        self.pubsub = self.redis.pubsub()
        await self.pubsub.subscribe(control_channel())
        self.connected.set()
        # Tenants wanted before now (joins made from here on subscribe by themselves).
        wanted = [tenant_channel(schema) for schema in self.wanted]
        if wanted:
            await self.pubsub.subscribe(*wanted)

    async def _disconnect(self) -> None:
        self.connected.clear()
        pubsub, self.pubsub = self.pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    def _received(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        channel = message["channel"]
        if kind == "subscribe":
            schema = channel.rpartition(":")[2]
            if self.by_schema.get(schema):
                # Subscribed (at a join, or again after a Redis outage): whatever was published
                # before it took effect is only in the database.
                self.check_cursors_soon([schema])
            return
        if kind != "message":
            return
        try:
            body = json.loads(message["data"])
        except ValueError:
            logger.warning("undecodable hub message on %s", channel)
            return
        if channel == control_channel():
            notify_control(body)
            return
        sent_at = body.get("at")
        for group, event in body.get("m", []):
            if len(self.backlog) >= self.capacity:
                # This process fell behind: drop the live copy (like the channel layer over
                # capacity) and let the database fill the gap.
                metrics.count_soon("hub.dropped")
                schema = schema_of_group(group)
                if schema:
                    self.check_cursors_soon([schema])
                continue
            self.backlog.append((group, event, sent_at))
        self.wakeup.set()

    async def publish(self, messages: Sequence[tuple[str, Any]]) -> None:
        """Publish from this loop (presence changes, socket-side control)."""
        await publish_async(self.redis, messages)

    # --- delivery to local sockets -------------------------------------------------------

    async def _dispatch(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            handled = 0
            while self.backlog:
                group, event, sent_at = self.backlog.popleft()
                try:
                    handled += await self._route(group, event, sent_at)
                except Exception:
                    logger.exception("hub could not route an event to %s", group)
                if handled >= DISPATCH_SLICE:
                    handled = 0
                    await asyncio.sleep(0)

    async def _route(self, group: str, event: dict[str, Any], sent_at: float | None) -> int:
        handled = 0
        for target, copy in expand(group, event):
            for member in list(self.groups.get(target, ())):
                await self._give(member, copy, sent_at)
                handled += 1
        return handled

    async def _give(self, member: HubMember, event: dict[str, Any], sent_at: float | None) -> None:
        try:
            await member.take(event, sent_at)
        except Exception:
            logger.exception("socket %s failed to take an event", member.socket_id)

    # --- the database is the record ------------------------------------------------------

    def check_cursors_soon(self, schemas: Iterable[str]) -> None:
        self._spawn(self.check_cursors(list(schemas)), "cursor-check-now")

    async def _cursor_checks(self) -> None:
        last = time.monotonic()
        while True:
            # The interval is read each tick: settings may change while the process lives.
            interval = float(settings.AVISO_WS_RESYNC_SECONDS)
            await asyncio.sleep(min(interval, 1.0))
            if time.monotonic() - last < interval:
                continue
            last = time.monotonic()
            try:
                await self.check_cursors(list(self.by_schema))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("cursor check failed")
            self._unsubscribe_idle()

    async def check_cursors(self, schemas: list[str]) -> None:
        """One query per tenant for all local sockets: anyone behind the database catches up."""
        from realtime.socket_queries import inbox_last_seqs
        from realtime.tenant_db import tenant_db

        for schema in schemas:
            members = [m for m in self.by_schema.get(schema, ()) if m.cursor is not None]
            if not members:
                continue
            user_ids = sorted({m.user_id for m in members})
            last: dict[int, int] = {}
            try:
                for start in range(0, len(user_ids), CURSOR_CHECK_CHUNK):
                    chunk = user_ids[start : start + CURSOR_CHECK_CHUNK]
                    found = await tenant_db(inbox_last_seqs)(self.tenants[schema], user_ids=chunk)
                    last.update(found)
            except DATABASE_OUTAGE_ERRORS as exc:
                # PostgreSQL is unreachable: these sockets can neither catch up nor answer, so
                # their clients are told to come back later (4503) and resume with their seq.
                for member in members:
                    self._spawn(member.close_for_database_outage(exc), "outage-close")
                continue
            for member in members:
                if member.cursor is not None and last.get(member.user_id, 0) > member.cursor:
                    member.catch_up()

    def _unsubscribe_idle(self) -> None:
        now = time.monotonic()
        for schema, since in list(self.empty_since.items()):
            if now - since < UNSUBSCRIBE_AFTER_SECONDS or self.by_schema.get(schema):
                continue
            del self.empty_since[schema]
            self.wanted.discard(schema)
            self.tenants.pop(schema, None)
            if self.pubsub is not None and self.connected.is_set():
                self._spawn(self.pubsub.unsubscribe(tenant_channel(schema)), "unsubscribe")

    # --- presence ------------------------------------------------------------------------

    async def presence_join(self, member: HubMember) -> None:
        await self._presence_change(member, present=True)

    async def presence_leave(self, member: HubMember) -> None:
        """Call after leave(): a refresh of everyone queued from now on no longer includes it."""
        await self._presence_change(member, present=False)

    async def _presence_change(self, member: HubMember, *, present: bool) -> None:
        name = presence_member(member)
        with self.presence_lock:
            adds = self.presence_add.setdefault(member.schema, set())
            removes = self.presence_remove.setdefault(member.schema, set())
            (adds if present else removes).add(name)
            (removes if present else adds).discard(name)
            if member.staff:
                self.presence_changed.add(member.schema)
        with contextlib.suppress(Exception):
            await asyncio.shield(self._queue_presence_write())

    def _queue_presence_write(self) -> "asyncio.Future[None]":
        """A future for the write that will include every change queued so far. Writes run
        one after the other on one thread, in the order they were queued: a refresh can never
        land after a removal and bring a closed socket back, and the write starts at once,
        whatever else the event loop is busy with (a flood of frames)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self.presence_lock:
            self.presence_waiters.append(future)
            if not self.presence_write_queued:
                self.presence_write_queued = True
                self.presence_writer.submit(self._write_queued_presence, loop)
        return future

    def _write_queued_presence(self, loop: asyncio.AbstractEventLoop) -> None:
        with self.presence_lock:
            self.presence_write_queued = False
            adds, self.presence_add = self.presence_add, {}
            removes, self.presence_remove = self.presence_remove, {}
            changed, self.presence_changed = self.presence_changed, set()
            waiters, self.presence_waiters = self.presence_waiters, []
        write_presence(adds, removes)
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._presence_written, waiters, changed)

    def _presence_written(self, waiters: list["asyncio.Future[None]"], changed: set[str]) -> None:
        for future in waiters:
            if not future.done():
                future.set_result(None)
        if changed:
            self._spawn(
                self.publish([(presence_group(schema), PRESENCE_EVENT) for schema in changed]),
                "presence-changed",
            )

    async def _heartbeat(self) -> None:
        """Every local socket's presence pushed forward in one pipeline."""
        while True:
            await asyncio.sleep(heartbeat_seconds())
            if not self.by_schema:
                continue
            with self.presence_lock:
                for schema, members in self.by_schema.items():
                    self.presence_add.setdefault(schema, set()).update(
                        map(presence_member, members)
                    )
            with contextlib.suppress(Exception):
                await asyncio.shield(self._queue_presence_write())


def write_presence(adds: dict[str, set[str]], removes: dict[str, set[str]]) -> None:
    """One pipeline for every tenant's joins, leaves and refreshes. Bookkeeping: errors are
    logged, never raised."""
    if not adds and not removes:
        return
    ttl = ttl_seconds()
    now = time.time()
    try:
        pipe = redis_client().pipeline(transaction=False)
        for schema in set(adds) | set(removes):
            key = presence_key(schema)
            if removes.get(schema):
                pipe.zrem(key, *removes[schema])
            if adds.get(schema):
                pipe.zadd(key, dict.fromkeys(adds[schema], now + ttl))
                pipe.zremrangebyscore(key, "-inf", now)
                # A tenant nobody visits any more leaves no key behind.
                pipe.expire(key, int(ttl * 2) + 1)
        pipe.execute()
    except Exception:
        logger.debug("presence not recorded", exc_info=True)


PRESENCE_EVENT = {
    "type": "topic",
    "topic": PRESENCE_TOPIC,
    "object_id": 0,
    "event": {"type": "presence.changed"},
}


def expand(group: str, event: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """What a published event stands for, group by group: a notify batch is one
    NotificationEvent per recipient's user group (as the hub hands them to sockets); any other
    event is itself. The hub routes by it, and so do listeners outside it (tests)."""
    if event.get("type") != "notifications":
        yield group, event
        return
    from realtime.services import live_payload

    schema = schema_of_group(group)
    for user_id, seq, language in event["recipients"]:
        payload = live_payload(event, seq=seq, language=language)
        yield f"t.{schema}.u.{user_id}", {"type": "notification", "notification": payload}


def presence_group(schema_name: str) -> str:
    from realtime.groups import topic_group

    return topic_group(schema_name=schema_name, topic=PRESENCE_TOPIC, object_id=0)


def presence_member(member: HubMember) -> str:
    return f"{int(member.user_id)}|{member.socket_id}"


async def publish_async(client: "aioredis.Redis", messages: Sequence[tuple[str, Any]]) -> None:
    sent_at = time.time()
    for channel, batch in by_tenant_channel(messages).items():
        await client.publish(channel, encode(batch, sent_at))


def by_tenant_channel(messages: Sequence[tuple[str, Any]]) -> dict[str, list[tuple[str, Any]]]:
    """Tenant groups' messages by the tenant's Redis channel, in order."""
    batches: dict[str, list[tuple[str, Any]]] = {}
    for group, event in messages:
        schema = schema_of_group(group)
        if schema is None:
            raise ValueError(f"not a tenant group: {group!r}")
        batches.setdefault(tenant_channel(schema), []).append((group, event))
    return batches


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This event loop's hub (a Daphne process has one loop; tests have one per test)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub()
    return found
