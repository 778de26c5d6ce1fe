"""Daphne's server with its two sweeps over every connection replaced by visits that are due.

Daphne 4.2 walks its whole connection table every second (`application_checker`: reap an
application that ended, kill one that outlives its socket by `application_close_timeout`)
and every two seconds (`timeout_checker`: connect and socket timeouts, keepalive pings).
With 5,000 idle sockets a process, those walks were a third of the process's idle CPU
(`bench/results/profile-idle-before-aviso-idle.txt`). The rules here are Daphne's, timed the
same way, but a connection is visited only when something about it can be due:

- the application check sees the connections that disconnected or whose application ended
  (Daphne tells the server of the first; a done-callback on the application tells of the
  second), and keeps seeing a disconnected one until it is reaped;
- the timeout check keeps a calendar of two-second ticks: an open socket is filed under the
  tick of its next keepalive ping (or of its lifetime's end, if sooner) and visited then;
  anything else (a socket still connecting, an HTTP request) is visited every tick, as
  Daphne does. The calendar holds weak references, so a closed socket is not kept alive by
  its place in it.

config/daphne_run.py runs Daphne's command line with this server (on uvloop);
config/daphne_cmd.py builds that command for production, tests and bench."""

import asyncio
import logging
import math
import time
import weakref
from collections import defaultdict
from concurrent.futures import CancelledError
from typing import Any

from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import reactor

logger = logging.getLogger("daphne.server")  # Daphne's own messages keep Daphne's logger

TICK_S = 2.0  # Daphne's timeout_checker period: the granularity of every timer below
APPLICATION_CHECK_S = 1.0  # Daphne's application_checker period


class DueTimeServer(Server):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Connections the application check must look at: disconnected, or application ended.
        self._to_check: set[Any] = set()
        # tick number -> weak references to the connections to visit at that tick
        self._calendar: defaultdict[int, list[weakref.ref[Any]]] = defaultdict(list)
        self._last_tick = self._tick_of(time.time())

    # --- what Daphne tells the server ---------------------------------------------------

    def protocol_connected(self, protocol: Any) -> None:
        super().protocol_connected(protocol)
        self._file(protocol, self._last_tick + 1)

    def protocol_disconnected(self, protocol: Any) -> None:
        super().protocol_disconnected(protocol)
        self._to_check.add(protocol)

    def create_application(self, protocol: Any, scope: Any) -> Any:
        queue = super().create_application(protocol, scope)
        if queue is not None:
            instance = self.connections[protocol]["application_instance"]
            instance.add_done_callback(lambda _: self._to_check.add(protocol))
        return queue

    # --- the application check (every second, as Daphne's) -------------------------------

    def application_checker(self) -> None:
        checking, self._to_check = self._to_check, set()
        for protocol in checking:
            details = self.connections.get(protocol)
            if details is None:
                continue
            self._check_application(protocol, details)
            if protocol in self.connections and "disconnected" in details:
                self._to_check.add(protocol)  # until its application is reaped
        reactor.callLater(APPLICATION_CHECK_S, self.application_checker)  # type: ignore[arg-type]  # zope stubs

    def _check_application(self, protocol: Any, details: dict[str, Any]) -> None:
        """Daphne 4.2.3's application_checker, for one connection."""
        disconnected = details.get("disconnected")
        instance = details.get("application_instance")
        overdue = disconnected and time.time() - disconnected > self.application_close_timeout
        if overdue and instance and not instance.done():
            logger.warning(
                "Application instance %r for connection %s took too long to shut down "
                "and was killed.",
                instance,
                repr(protocol),
            )
            instance.cancel()
        if instance and instance.done():
            try:
                exception = instance.exception()
            except (CancelledError, asyncio.CancelledError):
                pass  # cancelled: nothing to report
            else:
                if exception:
                    if isinstance(exception, KeyboardInterrupt):
                        self.stop()  # the protocol asks the server to exit (tests)
                    else:
                        logger.error(
                            "Exception inside application: %s", exception, exc_info=exception
                        )
                        if not disconnected:
                            protocol.handle_exception(exception)
            del details["application_instance"]
            instance = None
        if not instance and disconnected:
            del self.connections[protocol]

    # --- the timeout check (every two seconds, as Daphne's) ------------------------------

    def timeout_checker(self) -> None:
        now = time.time()
        current = self._tick_of(now)
        for tick in range(self._last_tick + 1, current + 1):
            for reference in self._calendar.pop(tick, ()):
                protocol = reference()
                if protocol is None or protocol not in self.connections:
                    continue
                protocol.check_timeouts()
                self._file(protocol, max(self._next_tick(protocol), current + 1))
        self._last_tick = current
        reactor.callLater(TICK_S, self.timeout_checker)  # type: ignore[arg-type]  # zope stubs

    def _next_tick(self, protocol: Any) -> int:
        if isinstance(protocol, WebSocketProtocol) and protocol.state == protocol.STATE_OPEN:
            due = protocol.last_ping + self.ping_interval
            if self.websocket_timeout >= 0:
                due = min(due, protocol.socket_opened + self.websocket_timeout)
            return math.ceil(due / TICK_S)  # the first tick at or after `due`
        return self._last_tick + 1  # connecting, or an HTTP request: every tick, as Daphne

    def _file(self, protocol: Any, tick: int) -> None:
        self._calendar[tick].append(weakref.ref(protocol))

    @staticmethod
    def _tick_of(moment: float) -> int:
        return math.floor(moment / TICK_S)


class AvisoCommandLine(CommandLineInterface):
    server_class = DueTimeServer
