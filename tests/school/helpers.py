"""Listen on the real channel layer (Redis) to what services publish after commit."""

import asyncio
import threading
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from channels.layers import get_channel_layer

from accounts.models import User
from realtime.groups import topic_group, user_group
from tenants.db import current_schema_name

T = TypeVar("T")


class Listener:
    """A channel in some groups, served by its own event loop thread (channels-redis ties its
    connections to one loop), so sync tests can hear what the code under test sent."""

    def __init__(self, groups: list[str]) -> None:
        self.groups = groups
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.layer = get_channel_layer()
        self.channel = self._run(self._start())

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    async def _start(self) -> str:
        channel: str = await self.layer.new_channel()
        for group in self.groups:
            await self.layer.group_add(group, channel)
        return channel

    async def _drain(self, wait: float) -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = []
        while True:
            try:
                message = await asyncio.wait_for(self.layer.receive(self.channel), wait)
            except TimeoutError:
                return received
            received.append(message["event"])

    async def _stop(self) -> None:
        for group in self.groups:
            await self.layer.group_discard(group, self.channel)

    def events(self, timeout: float = 0.5) -> list[dict[str, Any]]:
        return self._run(self._drain(timeout))

    def notifications(self, timeout: float = 0.5) -> list[dict[str, Any]]:
        return [e["notification"] for e in self.events(timeout) if e["type"] == "notification"]

    def close(self) -> None:
        try:
            self._run(self._stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)
            # channels-redis closes this loop's Redis connections when the loop is closed.
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
