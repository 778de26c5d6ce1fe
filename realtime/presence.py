"""Who is online, across every Daphne process: one Redis sorted set per tenant whose members
are open sockets ("<user id>|<channel name>") scored by the time they expire. Each process pushes
its live sockets' expiry forward every heartbeat, in one pipeline (realtime.hub); a closed
socket removes itself; a socket whose
process died (no disconnect ever ran) simply stops being refreshed and drops out after the
TTL. Readers only count members whose expiry is in the future.

Like metrics, presence is bookkeeping: Redis errors are logged and swallowed, never raised
into a socket.
"""

import logging
import time
from collections.abc import Iterable

from django.conf import settings

from config.redis import redis_client, redis_key

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


def presence_key(schema_name: str) -> str:
    return redis_key("presence", schema_name)


def _member(user_id: int, channel: str) -> str:
    return f"{int(user_id)}|{channel}"


def presence_touch(*, schema_name: str, user_id: int, channel: str) -> None:
    """Mark one socket present until now + TTL (sync; call off the event loop)."""
    ttl = ttl_seconds()
    now = time.time()
    key = presence_key(schema_name)
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
        redis_client().zrem(presence_key(schema_name), _member(user_id, channel))
    except Exception:
        logger.debug("presence of %s not removed", channel, exc_info=True)


def _live_members(schema_names: Iterable[str]) -> dict[str, list[str]]:
    names = list(schema_names)
    now = time.time()
    pipe = redis_client().pipeline(transaction=False)
    for schema in names:
        pipe.zrangebyscore(presence_key(schema), f"({now}", "+inf")
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


# Staff pages watch this topic and re-read who is online when it changes (no polling).
PRESENCE_TOPIC = "presence"
