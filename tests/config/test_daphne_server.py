"""Aviso's Daphne server (config/daphne_server.py) visits a connection only when something
about it is due; what Daphne does for a connection must still happen, on time: keepalive
pings to an idle socket, dropping one that stops answering them, closing the socket of an
application that crashed, killing an application that outlives its socket."""

import base64
import os
import socket
import struct
import time
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from testing.servers import daphne
from tests.config.daphne_apps import CANCELLED_MARKER

PING_INTERVAL_S = 2
PING_TIMEOUT_S = 2
TICK_S = 2  # the server's timer granularity, as Daphne's


def serving(app: str, *options: str, **env: str) -> AbstractContextManager[int]:
    """A real Daphne (the product's command line, so Aviso's server class) serving one of
    tests/config/daphne_apps.py."""
    return daphne(None, application=f"tests.config.daphne_apps:{app}", options=options, **env)


class RawSocket:
    """A WebSocket client that shows the control frames a library would answer by itself."""

    def __init__(self, port: int, *, sock: socket.socket | None = None) -> None:
        """Upgrades `sock` (a connection already made to `port`) or a new connection."""
        self.sock = sock or socket.create_connection(("127.0.0.1", port), timeout=15)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            byte = self.sock.recv(1)
            if not byte:
                raise ConnectionError(f"closed before the upgrade's answer ended: {head!r}")
            head += byte
        assert head.startswith(b"HTTP/1.1 101"), head

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed by the server")
            data += chunk
        return data

    def frame(self) -> tuple[int, bytes]:
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read(2))
        return first & 0x0F, self._read(length)

    def pong(self, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)

    def close(self) -> None:
        self.sock.close()


PING, CLOSE = 0x9, 0x8


def test_an_idle_socket_is_pinged_every_interval_and_kept_while_it_answers() -> None:
    options = ("--ping-interval", str(PING_INTERVAL_S), "--ping-timeout", str(PING_TIMEOUT_S))
    with serving("holds_open", *options) as port:
        # given an idle socket whose client answers every ping
        client = RawSocket(port)
        opened = time.monotonic()
        pings = []
        # when it stays idle for a few intervals
        while time.monotonic() - opened < 4 * PING_INTERVAL_S + TICK_S:
            opcode, payload = client.frame()
            assert opcode == PING, f"frame {opcode} on an idle socket"
            pings.append(time.monotonic() - opened)
            client.pong(payload)
        client.close()
    # then it was pinged once per interval (to the server's two-second tick), and never
    # dropped although it outlived several ping timeouts
    gaps = [b - a for a, b in zip([0.0, *pings], pings, strict=False)]
    assert len(pings) >= 3, pings
    assert all(PING_INTERVAL_S - 0.5 <= gap <= PING_INTERVAL_S + TICK_S + 1 for gap in gaps), gaps


def test_a_socket_that_stops_answering_pings_is_dropped() -> None:
    options = ("--ping-interval", str(PING_INTERVAL_S), "--ping-timeout", str(PING_TIMEOUT_S))
    with serving("holds_open", *options) as port:
        # given a client that has gone (it reads, but never answers a ping)
        client = RawSocket(port)
        opened = time.monotonic()
        # when the server has pinged it
        ended = None
        try:
            while True:
                client.frame()
        except (ConnectionError, OSError):
            ended = time.monotonic() - opened
        client.close()
    # then the server closed the connection once the ping went unanswered
    limit = PING_INTERVAL_S + TICK_S + PING_TIMEOUT_S + 2
    assert ended is not None and ended <= limit, ended


@pytest.mark.server_tracebacks("the application raises on purpose; the server logs it")
def test_the_socket_of_an_application_that_crashed_is_closed_as_a_server_error() -> None:
    with serving("crashes_after_accepting") as port:
        # given a socket whose application raises once it has accepted
        client = RawSocket(port)
        # when the server notices
        opcode, payload = client.frame()
        client.close()
    # then the client is told the server failed (1011), not left hanging
    assert opcode == CLOSE
    assert struct.unpack("!H", payload[:2])[0] == 1011


def test_an_application_that_outlives_its_socket_is_killed(tmp_path: Path) -> None:
    marker = tmp_path / "cancelled"
    with serving(
        "outlives_its_socket", "--application-close-timeout", "1", **{CANCELLED_MARKER: str(marker)}
    ) as port:
        # given an application that carries on after its client left
        client = RawSocket(port)
        client.close()
        # when its close timeout has passed
        deadline = time.monotonic() + 8
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    # then the server killed it
    assert marker.exists(), "the application was never cancelled"


def test_the_server_runs_on_uvloop() -> None:
    # given the product's Daphne (config/daphne_run.py)
    with serving("names_its_loop") as port:
        # when a socket opens
        client = RawSocket(port)
        # then the application runs on uvloop's loop, not the stock one
        opcode, text = client.frame()
        assert (opcode, text) == (0x1, b"uvloop"), text
