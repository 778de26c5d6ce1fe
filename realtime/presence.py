"""Who is online, across every Daphne process: one Redis sorted set per tenant whose members
are open sockets ("<user id>|<channel name>") scored by the time they expire. Each live socket
pushes its expiry forward every heartbeat; a closed socket removes itself; a socket whose
process died (no disconnect ever ran) simply stops being refreshed and drops out after the
TTL. Readers only count members whose expiry is in the future.

Like metrics, presence is bookkeeping: Redis errors are logged and swallowed, never raised
into a socket.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    pass

from config.redis import redis_client, redis_key
from realtime.events import TopicEvent, asend_now_rollback_unsafe
from realtime.groups import topic_group

logger = logging.getLogger(__name__)


def tunable_seconds(name: str, default: float) -> float:
    """A tunable from settings (which read the environment); unset or 0 means `default`."""
    value = getattr(settings, name, None)
    return float(value) if value else default


def heartbeat_seconds() -> float:
    return tunable_seconds("AVISO_PRESENCE_HEARTBEAT_SECONDS", 15.0)


def ttl_seconds() -> float:
    """How long a socket counts as present after its last heartbeat: three missed beats."""
    return tunable_seconds("AVISO_PRESENCE_TTL_SECONDS", 3 * heartbeat_seconds())


def _key(schema_name: str) -> str:
    return redis_key("presence", schema_name)


def _member(user_id: int, channel: str) -> str:
    return f"{int(user_id)}|{channel}"


def presence_touch(*, schema_name: str, user_id: int, channel: str) -> None:
    """Mark one socket present until now + TTL (sync; call off the event loop)."""
    ttl = ttl_seconds()
    now = time.time()
    key = _key(schema_name)
    try:
        pipe = redis_client().pipeline(transaction=False)
        pipe.zadd(key, {_member(user_id, channel): now + ttl})
        pipe.zremrangebyscore(key, "-inf", now)
        # A tenant nobody visits any more leaves no key behind.
        pipe.expire(key, int(ttl * 2) + 1)
        pipe.execute()
    except Exception:
        logger.debug("presence of %s not recorded", channel, exc_info=True)


def presence_leave(*, schema_name: str, user_id: int, channel: str) -> None:
    try:
        redis_client().zrem(_key(schema_name), _member(user_id, channel))
    except Exception:
        logger.debug("presence of %s not removed", channel, exc_info=True)


def _live_members(schema_names: Iterable[str]) -> dict[str, list[str]]:
    names = list(schema_names)
    now = time.time()
    pipe = redis_client().pipeline(transaction=False)
    for schema in names:
        pipe.zrangebyscore(_key(schema), f"({now}", "+inf")
    return dict(zip(names, pipe.execute(), strict=True))


def presence_online_users(*, schema_name: str) -> list[int]:
    """Ids of the tenant's users with at least one live socket, ascending."""
    members = _live_members([schema_name])[schema_name]
    return sorted({int(member.partition("|")[0]) for member in members})


def presence_counts(*, schema_names: Iterable[str]) -> dict[str, tuple[int, int]]:
    """{schema: (open sockets, distinct users online)} for each tenant named."""
    counts: dict[str, tuple[int, int]] = {}
    for schema, members in _live_members(schema_names).items():
        users = {member.partition("|")[0] for member in members}
        counts[schema] = (len(members), len(users))
    return counts


class SocketPresence:
    """The presence of one open socket: `start()` after accepting, `heartbeat()` run by the
    socket as one of its own background tasks (so it ends with the socket, however the socket
    ends: realtime.lifetime), `stop()` when the socket ends."""

    def __init__(self, *, schema_name: str, user_id: int, channel: str) -> None:
        self.schema_name = schema_name
        self.user_id = user_id
        self.channel = channel
        self.pending: asyncio.Future[None] | None = None
        self.stopped = False

    async def start(self) -> None:
        """Record the socket now, so readers see it at once."""
        self.pending = asyncio.get_running_loop().run_in_executor(None, self._touch)
        with contextlib.suppress(Exception):
            await asyncio.shield(self.pending)

    async def heartbeat(self) -> None:
        """Keep the entry fresh until cancelled."""
        loop = asyncio.get_running_loop()
        while not self.stopped:
            await asyncio.sleep(heartbeat_seconds())
            if self.stopped:
                return
            self.pending = loop.run_in_executor(None, self._touch)
            with contextlib.suppress(Exception):
                await asyncio.shield(self.pending)

    def _touch(self) -> None:
        presence_touch(schema_name=self.schema_name, user_id=self.user_id, channel=self.channel)

    def _leave(self) -> None:
        presence_leave(schema_name=self.schema_name, user_id=self.user_id, channel=self.channel)

    async def stop(self) -> None:
        """Remove the entry (once the heartbeat task is cancelled: a beat that starts after
        this would put it back until the TTL)."""
        self.stopped = True
        if self.pending:
            # A heartbeat still in flight must not land after the removal.
            with contextlib.suppress(Exception):
                await self.pending
        await asyncio.get_running_loop().run_in_executor(None, self._leave)


# Staff pages watch this topic and re-read who is online when it changes (no polling).
PRESENCE_TOPIC = "presence"


async def announce_presence_change(*, schema_name: str) -> None:
    """Tell the tenant's watching staff pages that someone came or went."""
    group = topic_group(schema_name=schema_name, topic=PRESENCE_TOPIC, object_id=0)
    event: TopicEvent = {
        "type": "topic",
        "topic": PRESENCE_TOPIC,
        "object_id": 0,
        "event": {"type": "presence.changed"},
    }
    await asend_now_rollback_unsafe(messages=[(group, event)])
