"""autobahn (under Daphne) pretty-prints two debug messages on every new connection whether
or not debug logging is on: its ~20 configuration attributes in `_connectionMade`, and the
transport in `startHandshake`. The logger then drops them. In a reconnect storm of 5,000
sockets that formatting was 9 % of a server's time (bench/README.md, "Where a storm's time
went"). So the `pformat` autobahn calls formats only when debug logging is on; otherwise it
hands the logger a placeholder it will not print anyway."""

import pprint
from typing import Any

import txaio

DEBUG_LEVELS = frozenset({"debug", "trace"})
NOT_FORMATTED = "(not formatted: debug logging is off)"


def pformat_if_debugging(obj: Any, *args: Any, **kwargs: Any) -> str:
    if txaio.get_global_log_level() in DEBUG_LEVELS:  # type: ignore[attr-defined]  # set at import
        return pprint.pformat(obj, *args, **kwargs)
    return NOT_FORMATTED


def format_autobahn_debug_only_when_debugging() -> None:
    from autobahn.websocket import protocol

    protocol.pformat = pformat_if_debugging  # type: ignore[assignment]
