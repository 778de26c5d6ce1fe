"""The one module that puts events on the channel layer.

Services call `send_on_commit`: the events leave only if the transaction that made the change
commits. `send_now_rollback_unsafe` is for code that has nothing to roll back (control
messages, consumers). Redis is the fast path: if it is down the send is logged and dropped,
and clients still get every notification from the database when they (re)connect or notice
a gap in sequence numbers.
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any, Literal, NotRequired, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from realtime import metrics

logger = logging.getLogger(__name__)

# Consumers receive every group message through this one handler name.
CONSUMER_HANDLER = "aviso.event"


class NotificationPayload(TypedDict):
    seq: int
    type: str
    data: dict[str, Any]
    created_at: str
    read: bool


class NotificationEvent(TypedDict):
    type: Literal["notification"]
    notification: NotificationPayload


class TopicEvent(TypedDict):
    type: Literal["topic"]
    topic: str
    object_id: int
    event: dict[str, Any]


class ControlEvent(TypedDict):
    type: Literal["session.ended", "tenant.suspended"]
    session_key: NotRequired[str]


class UnreadEvent(TypedDict):
    type: Literal["inbox.unread"]
    unread: int


class ProvisioningEvent(TypedDict):
    """A step of a tenant's provisioning, for the operators' console."""

    type: Literal["provisioning"]
    progress: dict[str, Any]


Event = NotificationEvent | TopicEvent | ControlEvent | UnreadEvent | ProvisioningEvent
Message = tuple[str, Event]  # (group, event)


# Groups sent to at once: a 1,000-student announcement is 1,000 groups, and one-by-one
# round trips to Redis made the last student wait a second.
SEND_CONCURRENCY = 64


async def _send_all(messages: Sequence[Message]) -> int:
    layer = get_channel_layer()
    if layer is None:
        return 0
    by_group: dict[str, list[Event]] = {}
    for group, event in messages:
        by_group.setdefault(group, []).append(event)
    gate = asyncio.Semaphore(SEND_CONCURRENCY)

    async def send_group(group: str, events: list[Event]) -> int:
        sent = 0
        async with gate:
            for event in events:  # in order within a group: one user's seqs stay ascending
                try:
                    # sent_at (after commit): consumers measure commit→client latency from it.
                    await layer.group_send(
                        group, {"type": CONSUMER_HANDLER, "event": event, "sent_at": time.time()}
                    )
                    sent += 1
                except Exception:
                    # The database holds the record; clients replay from it. Never fail the
                    # caller.
                    logger.warning("channel layer send to %s failed", group, exc_info=True)
                    metrics.count_soon("publish_failed")
        return sent

    results = await asyncio.gather(*(send_group(g, e) for g, e in by_group.items()))
    return sum(results)


def send_now_rollback_unsafe(*, messages: Sequence[Message]) -> int:
    """Send at once, whatever becomes of the current transaction. Returns how many Redis took
    (or 0 when handed to this thread's running event loop, which sends them shortly)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(_send_all)(messages)
    # Sync code called straight from a coroutine: async_to_sync would refuse to run here.
    task = loop.create_task(_send_all(list(messages)))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
    return 0


# Strong references to sends scheduled on a running loop until they finish.
_pending: set["asyncio.Task[int]"] = set()


async def asend_now_rollback_unsafe(*, messages: Sequence[Message]) -> int:
    return await _send_all(messages)


def send_on_commit(*, messages: Sequence[Message]) -> None:
    """Send once the current transaction commits; never if it rolls back."""
    if messages:
        batch = list(messages)
        transaction.on_commit(lambda: send_now_rollback_unsafe(messages=batch), robust=True)
