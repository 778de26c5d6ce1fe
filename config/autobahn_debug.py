"""autobahn (under Daphne) formats its debug messages whether or not debug logging is on, and
the logger then drops them: on every new connection it pretty-prints its ~20 configuration
attributes (`_connectionMade`) and the transport (`startHandshake`), and on every frame it
sends or bytes it reads it colours the method's name and the peer with click (`hltype`,
`hlval` in `sendData`, `dataReceived`). In a reconnect storm of 5,000 sockets the
pretty-printing was 9 % of a server's time (bench/README.md, "Where a storm's time went");
with 10,000 idle sockets the colouring was most of what a keepalive ping cost beyond the
write. So those helpers, as autobahn's modules call them, format only when debug logging is
on; otherwise they hand the logger a placeholder it will not print anyway."""

from collections.abc import Callable
from typing import Any

import txaio

DEBUG_LEVELS = frozenset({"debug", "trace"})
NOT_FORMATTED = "(not formatted: debug logging is off)"
# The modules that call the helpers, each bound to its own imported name.
CALLERS = ("autobahn.websocket.protocol", "autobahn.twisted.websocket")
HELPERS = ("pformat", "hltype", "hlval")


def debugging() -> bool:
    return txaio.get_global_log_level() in DEBUG_LEVELS  # type: ignore[attr-defined]


def formatting_only_when_debugging(helper: Callable[..., str]) -> Callable[..., str]:
    def formatted(*args: Any, **kwargs: Any) -> str:
        return helper(*args, **kwargs) if debugging() else NOT_FORMATTED

    formatted.__wrapped__ = helper  # type: ignore[attr-defined]
    return formatted


def format_autobahn_debug_only_when_debugging() -> None:
    import importlib

    for name in CALLERS:
        module = importlib.import_module(name)
        for helper in HELPERS:
            current = getattr(module, helper, None)
            if current is not None and not hasattr(current, "__wrapped__"):
                setattr(module, helper, formatting_only_when_debugging(current))
