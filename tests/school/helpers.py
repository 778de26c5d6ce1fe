"""Listen on the real Redis to what services publish after commit."""

import asyncio
import json
import threading
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from accounts.models import User
from realtime.groups import topic_group, user_group
from realtime.hub import expand, redis_for_hub, schema_of_group, tenant_channel
from tenants.db import current_schema_name

T = TypeVar("T")


class Listener:
    """Subscribed to the tenants' hub channels (realtime.hub) like a Daphne process, served by
    its own event loop thread, so sync tests can hear what the code under test published to
    these groups (a notify batch counts as one notification per recipient, as sockets get it)."""

    def __init__(self, groups: list[str]) -> None:
        self.groups = set(groups)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.redis = redis_for_hub()
        self.pubsub = self.redis.pubsub()
        channels = {tenant_channel(schema_of_group(g) or "-") for g in groups}
        self._run(self.pubsub.subscribe(*channels))
        self._run(self._confirmed(len(channels)))

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    async def _confirmed(self, count: int) -> None:
        while count:
            message = await self.pubsub.get_message(timeout=5)
            if message is not None and message["type"] == "subscribe":
                count -= 1

    async def _drain(self, wait: float) -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = []
        while True:
            message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=wait)
            if message is None:
                return received
            for group, event in json.loads(message["data"])["m"]:
                received += [e for g, e in expand(group, event) if g in self.groups]

    def events(self, timeout: float = 0.5) -> list[dict[str, Any]]:
        return self._run(self._drain(timeout))

    def notifications(self, timeout: float = 0.5) -> list[dict[str, Any]]:
        return [e["notification"] for e in self.events(timeout) if e["type"] == "notification"]

    def close(self) -> None:
        try:
            self._run(self.pubsub.aclose())
            self._run(self.redis.aclose())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)
            self.loop.close()


@contextmanager
def listening(
    *, users: Sequence[User] = (), topics: Sequence[tuple[str, int]] = ()
) -> Iterator[Listener]:
    """Call inside the tenant's schema: listens to those users' and topics' groups there."""
    schema = current_schema_name()
    groups = [user_group(schema_name=schema, user_id=u.pk) for u in users]
    groups += [topic_group(schema_name=schema, topic=t, object_id=o) for t, o in topics]
    listener = Listener(groups)
    try:
        yield listener
    finally:
        listener.close()
