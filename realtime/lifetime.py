"""The one owner of a socket's background work, for both the tenants' and the operators' socket.

A socket ends in many ways: the client closes; the server closes it (a limit, logout,
suspension); a handler raises; the process cancels it (Daphne shutting down, or killing an
application that outlived its connection by `application_close_timeout`). Channels runs
`disconnect()` only for the first of these, and only once the client has answered the close
handshake and every frame queued before the disconnect has been dispatched: a flood of
thousands of frames kept a closed socket's heartbeats running for seconds, and when Daphne
then cancelled the application, for ever (tasks made with `asyncio.create_task` outlive the
consumer that made them). So here:

- background work is started with `spawn()` only: named tasks the socket owns;
- `end()` runs once, on whichever ending comes first (the server sending a close, the
  client's disconnect, an exception, a cancellation): it cancels and awaits the owned tasks,
  then runs the subclass's `release()` (leave groups, remove presence, count the close);
- once ended the socket dispatches nothing more but the disconnect (frames queued behind the
  close, group messages in flight), so its ending is not queued behind a flood.
"""

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, ClassVar

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

logger = logging.getLogger(__name__)

# Every task a socket owns is named "<TASK_PREFIX><kind>:<channel name>:<role>".
TASK_PREFIX = "aviso.ws."
# Time the release steps (Redis round trips) get before the socket gives up on them: a socket
# must be gone within a second, and Redis being down must not keep it half-open.
RELEASE_SECONDS = 0.8


class OwnedTasksConsumer(AsyncWebsocketConsumer):
    """Base of the product's sockets: owns their background tasks and ends them, and releases
    what the socket holds, exactly once on every way the socket can end."""

    socket_kind: ClassVar[str] = "socket"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owned_tasks: set[asyncio.Task[Any]] = set()
        self.ending: asyncio.Event | None = None

    @property
    def ended(self) -> bool:
        return self.ending is not None

    def task_name(self, role: str) -> str:
        channel = getattr(self, "channel_name", "-")
        return f"{TASK_PREFIX}{self.socket_kind}:{channel}:{role}"

    def spawn(self, work: Coroutine[Any, Any, None], *, role: str) -> None:
        """Run `work` in the background for as long as the socket lives."""
        if self.ended:
            work.close()  # a socket that ended starts nothing (e.g. closed during connect)
            return
        task = asyncio.get_running_loop().create_task(work, name=self.task_name(role))
        self.owned_tasks.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: "asyncio.Task[Any]") -> None:
        self.owned_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def release(self) -> None:
        """What the socket holds beyond its tasks (groups, presence, counters); runs once."""

    # --- every ending leads to end() -----------------------------------------------------

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # A handler raised, or the server cancelled the application: no disconnect will
            # be dispatched, so end here. (After a normal disconnect this is a no-op.)
            await self.end()

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        """Send the close, and end now: the socket is over for the server whether or not the
        client ever answers the closing handshake."""
        await super().close(code, reason)
        await self.end()

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        try:
            await super().send(text_data, bytes_data, close)
        except Disconnected:
            # The client went away while we answered (a page left mid-subscribe): Daphne's
            # disconnect for it is on its way, and the answer has nobody to read it.
            logger.debug("socket %s: send after the client left", self.task_name("send"))

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        await self.end()
        await super().websocket_disconnect(message)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch, without its `aclose_old_connections()` before every message.

        That call closes stale connections of the thread Django's sync code shares (asgiref's
        thread-sensitive thread, which also runs this process's HTTP views), and to do it
        every frame of every socket waited in line for that one thread: behind a slow page
        (a spreadsheet import) and behind each other in a reconnect storm, where it was the
        largest single cost. Sockets never use that thread's connections: their only door to
        the database is realtime.tenant_db, whose threads close stale connections around
        every call (channels.db.DatabaseSyncToAsync)."""
        if self.ended and message.get("type") != "websocket.disconnect":
            return  # frames queued behind the close, group messages still in flight
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def end(self) -> None:
        """Stop every owned task and release the socket's holdings; once, whoever asks first
        (later callers wait for the first to finish). Runs in the caller's task: an owned
        task that asked (a session check closing its own socket) is not cancelled under it."""
        if self.ending is not None:
            await self.ending.wait()
            return
        self.ending = asyncio.Event()
        try:
            await self._end(spare=asyncio.current_task())
        finally:
            self.ending.set()

    async def _end(self, *, spare: "asyncio.Task[Any] | None") -> None:
        tasks = [task for task in self.owned_tasks if task is not spare]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=RELEASE_SECONDS)
        try:
            await asyncio.wait_for(self.release(), RELEASE_SECONDS)
        except TimeoutError:
            logger.warning("releasing socket %s timed out", self.task_name("end"))
        except Exception:
            logger.exception("releasing socket %s failed", self.task_name("end"))
