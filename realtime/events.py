"""The one module that publishes events.

Tenants' events go to the tenant's Redis channel, one PUBLISH per tenant per batch, and each
Daphne process's hub (realtime.hub) hands them to its own sockets; the operators' console
uses the channel layer. Services call `send_on_commit`: the events leave only if the
transaction that made the change commits. `send_now_rollback_unsafe` is for code that has
nothing to roll back (control messages, consumers). Redis is the fast path: if it is down
the send is logged and dropped, and clients still get every notification from the database
when they (re)connect, notice a gap in sequence numbers, or their process checks cursors.
"""

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from typing import Any, Literal, NotRequired, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from config.redis import realtime_publisher, realtime_redis_url
from realtime import metrics
from realtime.hub import (
    by_tenant_channel,
    control_channel,
    encode,
    hub,
    notify_control,
    schema_of_group,
)

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
    type: Literal["session.ended", "tenant.suspended", "tenant.archived"]
    session_key: NotRequired[str]


class UnreadEvent(TypedDict):
    type: Literal["inbox.unread"]
    unread: int


class ProvisioningEvent(TypedDict):
    """A step of a tenant's provisioning, for the operators' console."""

    type: Literal["provisioning"]
    progress: dict[str, Any]


class NotificationBatchEvent(TypedDict):
    """One notify: the same parameters to many recipients, each with their own seq; sent once
    to the tenant's group and rendered into NotificationEvents by each process's hub."""

    type: Literal["notifications"]
    kind: str
    data: dict[str, dict[str, Any]]  # {language: protocol v1's rendered data}
    created_at: str
    recipients: list[tuple[int, int, str]]  # (user id, seq, the language they read)


Event = (
    NotificationEvent
    | NotificationBatchEvent
    | TopicEvent
    | ControlEvent
    | UnreadEvent
    | ProvisioningEvent
)
Message = tuple[str, Event]  # (group, event)


# Channel-layer groups sent to at once (the operators' console; tenants' events go through the
# hub, one PUBLISH per tenant per batch).
SEND_CONCURRENCY = 64


def split_by_route(messages: Sequence[Message]) -> tuple[list[Message], list[Message]]:
    """(tenant groups' messages, for the hub; the rest, for the channel layer)."""
    tenant: list[Message] = []
    other: list[Message] = []
    for message in messages:
        (tenant if schema_of_group(message[0]) else other).append(message)
    return tenant, other


def _publish_tenant_events(messages: Sequence[Message]) -> int:
    """One PUBLISH per tenant (its sockets' processes fan out locally: realtime.hub)."""
    sent_at = time.time()
    client = realtime_publisher(realtime_redis_url())
    sent = 0
    for channel, batch in by_tenant_channel(messages).items():
        try:
            client.publish(channel, encode(batch, sent_at))
            sent += len(batch)
        except Exception:
            # The database holds the record; sockets catch up from it. Never fail the caller.
            logger.warning("publishing to %s failed", channel, exc_info=True)
            metrics.count_soon(metrics.PUBLISH_FAILED)
    return sent


async def _apublish_tenant_events(messages: Sequence[Message]) -> int:
    try:
        await hub().publish(messages)
        return len(messages)
    except Exception:
        logger.warning("publishing %d events failed", len(messages), exc_info=True)
        metrics.count_soon(metrics.PUBLISH_FAILED)
        return 0


async def _send_to_layer(messages: Sequence[Message]) -> int:
    layer = get_channel_layer()
    if layer is None or not messages:
        return 0
    by_group: dict[str, list[Event]] = {}
    for group, event in messages:
        by_group.setdefault(group, []).append(event)
    gate = asyncio.Semaphore(SEND_CONCURRENCY)

    async def send_group(group: str, events: list[Event]) -> int:
        sent = 0
        async with gate:
            for event in events:  # in order within a group
                try:
                    await layer.group_send(
                        group, {"type": CONSUMER_HANDLER, "event": event, "sent_at": time.time()}
                    )
                    sent += 1
                except Exception:
                    logger.warning("channel layer send to %s failed", group, exc_info=True)
                    metrics.count_soon(metrics.PUBLISH_FAILED)
        return sent

    results = await asyncio.gather(*(send_group(g, e) for g, e in by_group.items()))
    return sum(results)


async def _send_all(messages: Sequence[Message]) -> int:
    tenant, other = split_by_route(messages)
    sent = await _apublish_tenant_events(tenant) if tenant else 0
    return sent + await _send_to_layer(other)


def send_now_rollback_unsafe(*, messages: Sequence[Message]) -> int:
    """Send at once, whatever becomes of the current transaction. Returns how many Redis took
    (or 0 when handed to this thread's running event loop, which sends them shortly)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        tenant, other = split_by_route(messages)
        sent = _publish_tenant_events(tenant) if tenant else 0
        return sent + (async_to_sync(_send_to_layer)(other) if other else 0)
    # Sync code called straight from a coroutine: no blocking Redis call on the event loop.
    task = loop.create_task(_send_all(list(messages)))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
    return 0


# Strong references to sends scheduled on a running loop until they finish.
_pending: set["asyncio.Task[int]"] = set()


async def asend_now_rollback_unsafe(*, messages: Sequence[Message]) -> int:
    return await _send_all(messages)


def send_control(*, event: dict[str, Any]) -> None:
    """A process-wide control message to every process's hub (this one's listeners at once,
    so a change is seen by the next handshake here without waiting for the round trip)."""
    notify_control(event)
    try:
        realtime_publisher(realtime_redis_url()).publish(control_channel(), json.dumps(event))
    except Exception:
        logger.warning("control message %s not published", event.get("type"), exc_info=True)
        metrics.count_soon(metrics.PUBLISH_FAILED)


def send_on_commit(*, messages: Sequence[Message]) -> None:
    """Send once the current transaction commits; never if it rolls back."""
    if messages:
        batch = list(messages)
        transaction.on_commit(lambda: send_now_rollback_unsafe(messages=batch), robust=True)
