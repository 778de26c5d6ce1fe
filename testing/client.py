"""Aviso's protocol v1 from Python (docs/realtime-protocol.md), for tests, fault tests and
benchmarks: how to open a socket as a page of a tenant would, the hello frame, the reconnect
backoff, and which close codes end the retrying (the server's own table,
realtime/protocol.py CLOSE_CODES, as static/aviso/socket.js reads it in the browser).

ReconnectingClient behaves as a page (static/aviso/realtime.js over socket.js) does: it
remembers the highest seq it processed, says `hello {last_seq}` on every (re)connect, ignores a
seq it already processed, reconnects after any close except the terminal ones with
exponential backoff and full jitter (0.5 s doubling to 30 s by default; the fault tests scale
it down), and resets the backoff once a socket opens. Like a page behind a load balancer, it
is given the addresses of every Daphne process and moves on to the next one after a failure.
Everything it sees is recorded for assertions.
"""

import asyncio
import contextlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from realtime.protocol import TERMINAL_CLOSE_CODES, VERSION

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0


def is_terminal(code: int | None) -> bool:
    """The server said "do not come back" (signed out, suspended, flooding, too big)."""
    return code in TERMINAL_CLOSE_CODES


def backoff_delay(
    attempt: int, *, base: float = BACKOFF_BASE_S, cap: float = BACKOFF_CAP_S
) -> float:
    """Seconds to wait before reconnect number `attempt` (0 after a socket opened): full
    jitter, so a reconnect storm spreads over the whole window."""
    return random.uniform(0, min(cap, base * 2**attempt))


def hello(last_seq: int) -> str:
    """The first frame of every socket: resume after `last_seq`."""
    return json.dumps({"v": VERSION, "type": "hello", "last_seq": last_seq})


async def open_socket(
    *,
    domain: str,
    port: int,
    session_key: str,
    cookie_name: str = "sessionid",
    open_timeout: float = 10,
    path: str = "/ws/",
    **options: Any,
) -> ClientConnection:
    """A socket to `domain` through Daphne on loopback `port`, carrying what a signed-in page
    on that domain sends (Host, same-site Origin, the session cookie)."""
    return await websockets.connect(
        f"ws://{domain}:{port}{path}",
        host="127.0.0.1",
        port=port,
        additional_headers={
            "Origin": f"http://{domain}",
            "Cookie": f"{cookie_name}={session_key}",
        },
        open_timeout=open_timeout,
        **options,
    )


async def open_operator_socket(**socket: Any) -> ClientConnection:
    """The operators' console socket on the public domain (open_socket's arguments), as the
    console page opens it."""
    return await open_socket(path="/ws/operators/", **socket)


def close_code(closed: ConnectionClosed) -> int:
    """The code the server closed with; 1006 if the connection just dropped."""
    return closed.rcvd.code if closed.rcvd is not None else 1006


async def close_code_of_new_socket(*, within: float = 10, **socket: Any) -> int:
    """Open a socket (open_socket's arguments) that the server is expected to close before
    it says anything; its close code. Fails if the server sends a frame or keeps it open."""
    ws = await open_socket(**socket)
    try:
        frame = await asyncio.wait_for(ws.recv(), within)
    except ConnectionClosed as closed:
        return close_code(closed)
    finally:
        await ws.close()
    raise AssertionError(f"the socket stayed open and sent {frame!r}")


@dataclass
class Record:
    processed: list[int] = field(default_factory=list)  # seqs handed to the page, in order
    wire: list[int] = field(default_factory=list)  # every seq that arrived, repeats included
    notifications: list[dict[str, Any]] = field(default_factory=list)  # the processed ones
    ignored: list[int] = field(default_factory=list)  # repeats the client dropped
    gaps: list[tuple[int, int]] = field(default_factory=list)  # (cursor, seq) jumps
    opened: int = 0  # sockets that completed the handshake
    readies: list[dict[str, Any]] = field(default_factory=list)  # every ready frame
    failed_attempts: int = 0  # connects refused or timed out
    closes: list[int] = field(default_factory=list)  # close codes of sockets that ended
    errors: list[dict[str, Any]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)  # the port of each opened socket


class ReconnectingClient:
    def __init__(
        self,
        *,
        name: str,
        domain: str,
        session_key: str,
        ports: Sequence[int],
        cookie_name: str = "sessionid",
        last_seq: int = 0,
        backoff_base: float = BACKOFF_BASE_S,
        backoff_cap: float = BACKOFF_CAP_S,
    ) -> None:
        self.name = name
        self.domain = domain
        self.ports = list(ports)
        self.session_key = session_key
        self.cookie_name = cookie_name
        self.cursor = last_seq
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.record = Record()
        self.stopped_with: int | None = None
        self._port_index = 0
        self._task: asyncio.Task[None] | None = None
        self._ws: Any = None
        self._online = asyncio.Event()
        self._online.set()
        self._stopping = False
        self._is_ready = False
        self._progress = asyncio.Condition()

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> "ReconnectingClient":
        self._task = asyncio.create_task(self._run(), name=f"client-{self.name}")
        return self

    async def stop(self) -> None:
        self._stopping = True
        self._online.set()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def go_offline(self) -> None:
        """The device loses its network: the TCP connection is cut without a close frame and
        the client stays away until go_online()."""
        self._online.clear()
        ws = self._ws
        if ws is not None:
            ws.transport.abort()
        await self.wait_until(lambda: self._ws is None, within=10, what="socket to drop")

    def go_online(self) -> None:
        self._online.set()

    # --- waiting -------------------------------------------------------------------------

    async def wait_until(self, check: Any, *, within: float, what: str) -> None:
        async def satisfied() -> None:
            async with self._progress:
                await self._progress.wait_for(check)

        try:
            await asyncio.wait_for(satisfied(), within)
        except TimeoutError:
            raise AssertionError(
                f"{self.name}: no {what} after {within}s; cursor={self.cursor}, "
                f"record={self.record}"
            ) from None

    async def wait_for_seq(self, seq: int, *, within: float) -> None:
        await self.wait_until(lambda: self.cursor >= seq, within=within, what=f"seq {seq}")

    async def wait_connected(self, *, within: float = 10) -> None:
        await self.wait_until(lambda: self.ready, within=within, what="ready")

    @property
    def ready(self) -> bool:
        return self._ws is not None and self._is_ready

    async def _changed(self) -> None:
        async with self._progress:
            self._progress.notify_all()

    # --- the protocol --------------------------------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        while not self._stopping:
            await self._online.wait()
            if self._stopping:
                return
            port = self.ports[self._port_index % len(self.ports)]
            opened = await self._session(port)
            if opened:
                attempt = 0  # as socket.js: a socket that opened resets the backoff
            if self.stopped_with is not None or self._stopping:
                return
            self._port_index += 1
            if self._online.is_set():
                delay = backoff_delay(attempt, base=self.backoff_base, cap=self.backoff_cap)
                attempt += 1
                await asyncio.sleep(delay)

    async def _session(self, port: int) -> bool:
        self._is_ready = False
        try:
            ws = await open_socket(
                domain=self.domain,
                port=port,
                session_key=self.session_key,
                cookie_name=self.cookie_name,
                open_timeout=5,
                close_timeout=2,
                max_size=2**22,
            )
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
            self.record.failed_attempts += 1
            await self._changed()
            return False
        self._ws = ws
        self.record.opened += 1
        self.record.ports.append(port)
        code = 1006
        try:
            await ws.send(hello(self.cursor))
            async for raw in ws:
                await self._on_frame(json.loads(raw))
            code = ws.close_code or 1006
        except ConnectionClosed as closed:
            code = close_code(closed)
        except OSError:
            code = 1006
        finally:
            self._ws = None
            self._is_ready = False
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 2)
        self.record.closes.append(code)
        if is_terminal(code):
            self.stopped_with = code
        await self._changed()
        return True

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "notification":
            seq = frame["notification"]["seq"]
            self.record.wire.append(seq)
            if seq <= self.cursor:
                self.record.ignored.append(seq)
            else:
                if seq != self.cursor + 1:
                    self.record.gaps.append((self.cursor, seq))
                self.cursor = seq
                self.record.processed.append(seq)
                self.record.notifications.append(frame["notification"])
        elif kind == "ready":
            self._is_ready = True
            self.record.readies.append(frame)
        elif kind == "error":
            self.record.errors.append(frame)
        await self._changed()

    async def send(self, **message: Any) -> None:
        assert self._ws is not None, "not connected"
        await self._ws.send(json.dumps({"v": VERSION, **message}))
