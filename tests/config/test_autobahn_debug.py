"""autobahn's per-connection debug messages are formatted only when debug logging is on."""

import txaio

txaio.use_twisted()  # what Daphne selects; the served application runs under it

from autobahn.websocket import protocol  # noqa: E402

import config.asgi  # noqa: E402, F401 -- loading the served application installs the switch
from config.autobahn_debug import NOT_FORMATTED  # noqa: E402


def test_the_served_application_makes_autobahn_skip_debug_formatting() -> None:
    # given the application Daphne serves is loaded, and the log level is Daphne's (info)
    txaio.set_global_log_level("info")  # type: ignore[attr-defined]
    # when autobahn formats a connection's configuration for its debug message
    formatted = protocol.pformat([("openHandshakeTimeout", 5, "WebSocketFactory")])
    # then nothing was formatted
    assert formatted == NOT_FORMATTED


def test_with_debug_logging_on_autobahn_formats_as_before() -> None:
    txaio.set_global_log_level("debug")  # type: ignore[attr-defined]
    try:
        formatted = protocol.pformat([("openHandshakeTimeout", 5, "WebSocketFactory")])
    finally:
        txaio.set_global_log_level("info")  # type: ignore[attr-defined]
    assert formatted == "[('openHandshakeTimeout', 5, 'WebSocketFactory')]"


def test_frames_sent_do_not_colour_their_debug_message() -> None:
    # given the application Daphne serves is loaded, and the log level is Daphne's (info)
    from autobahn.twisted import websocket as twisted_websocket

    txaio.set_global_log_level("info")  # type: ignore[attr-defined]
    # when autobahn names the method and the peer of a frame it sends or bytes it reads
    names = [
        protocol.hltype(protocol.WebSocketProtocol.sendData),
        protocol.hlval("tcp4:127.0.0.1:50000"),
        twisted_websocket.hltype(twisted_websocket.WebSocketAdapterProtocol.dataReceived),
    ]
    # then nothing was coloured
    assert names == [NOT_FORMATTED] * 3


def test_with_debug_logging_on_autobahn_colours_as_before() -> None:
    txaio.set_global_log_level("debug")  # type: ignore[attr-defined]
    try:
        name = protocol.hltype(protocol.WebSocketProtocol.sendData)
    finally:
        txaio.set_global_log_level("info")  # type: ignore[attr-defined]
    assert "WebSocketProtocol.sendData" in name and name != NOT_FORMATTED
