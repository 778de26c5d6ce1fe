"""The wire protocol (docs/realtime-protocol.md): a versioned JSON envelope with a dotted or
plain `type`. Parsing here is pure (no I/O), so it is easy to test and to fuzz."""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VERSION = 1
MAX_FRAME_BYTES = 64 * 1024

# Close codes the server uses after accepting a socket (rejections before accept are HTTP 403).
CLOSE_UNAUTHENTICATED = 4401  # no valid session, or the session ended (logout)
CLOSE_SUSPENDED = 4423  # the tenant was suspended
CLOSE_ARCHIVED = 4410  # the tenant was archived (gone for good, like HTTP 410)
CLOSE_FLOOD = 4429  # kept sending over the rate limit
# A frame over MAX_FRAME_BYTES. Not 1009: servers may only send 1000 or 3000-4999 (autobahn).
CLOSE_TOO_BIG = 4413
CLOSE_SERVER_RESTART = 1012
CLOSE_BUSY = 4503  # cannot take the socket now (Redis or PostgreSQL down, or saturated): retry
CLOSE_INTERNAL_ERROR = 1011  # the server failed handling the socket (a bug): the page reconnects


@dataclass(frozen=True)
class CloseCode:
    """What a client does when the server closes with `code`: a terminal one means "stop
    reconnecting" (retrying cannot help, or must not happen for minutes) and `message` is what
    a page shows; any other code, and any code not in CLOSE_CODES (1006, 1011), means
    "reconnect with backoff". The one table every client reads: the pages get it rendered
    (realtime/templatetags/aviso_socket.py), the Python clients import it."""

    code: int
    name: str
    terminal: bool
    message: str | Promise  # in the page's language when rendered (str() of it)


CLOSE_CODES: dict[int, CloseCode] = {
    close.code: close
    for close in (
        CloseCode(CLOSE_UNAUTHENTICATED, "unauthenticated", True, _("Signed out")),
        CloseCode(CLOSE_SUSPENDED, "suspended", True, _("This site is suspended")),
        CloseCode(CLOSE_ARCHIVED, "archived", True, _("This site is archived")),
        CloseCode(CLOSE_FLOOD, "flood", True, _("Too many messages")),
        CloseCode(CLOSE_TOO_BIG, "too_big", True, _("A message was too large")),
        CloseCode(CLOSE_BUSY, "busy", False, _("offline")),
        CloseCode(CLOSE_SERVER_RESTART, "server_restart", False, _("offline")),
    )
}
TERMINAL_CLOSE_CODES = frozenset(code for code, close in CLOSE_CODES.items() if close.terminal)


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, ref: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


@dataclass(frozen=True)
class ClientMessage:
    type: str
    ref: str | int | None
    body: dict[str, Any] = field(default_factory=dict)


CLIENT_TYPES = frozenset(
    {"hello", "subscribe", "unsubscribe", "mark_read", "mark_all_read", "ping"}
)


def _int(body: dict[str, Any], key: str, ref: Any, *, minimum: int = 0) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ProtocolError("bad_request", f"'{key}' must be an integer >= {minimum}", ref)
    if value > 2**62:
        raise ProtocolError("bad_request", f"'{key}' is out of range", ref)
    return value


# A socket's own message types: type -> check of the body (raises ProtocolError).
BodyCheck = Callable[[ClientMessage], None]


def parse_client_frame(text: str, *, types: Mapping[str, BodyCheck] | None = None) -> ClientMessage:
    """Parse and check one client frame: size, JSON object, version, type, then its body.

    `types` lets another socket on the same envelope (the operators' console) name the message
    types it accepts and check each body; by default the tenants' socket's (CLIENT_TYPES).
    """
    if len(text.encode()) > MAX_FRAME_BYTES:
        raise ProtocolError("too_large", f"frames are limited to {MAX_FRAME_BYTES} bytes")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise ProtocolError("bad_json", "the frame is not valid JSON") from None
    if not isinstance(body, dict):
        raise ProtocolError("bad_request", "a frame must be a JSON object")
    ref = body.get("ref")
    if ref is not None and not (
        (isinstance(ref, str) and len(ref) <= 64)
        or (isinstance(ref, int) and not isinstance(ref, bool))
    ):
        ref = None
    version = body.get("v", VERSION)
    if type(version) is not int or version != VERSION:  # True == 1 in Python: not a version
        raise ProtocolError("bad_version", f"this server speaks protocol version {VERSION}", ref)
    kind = body.get("type")
    accepted = CLIENT_TYPES if types is None else types
    if not isinstance(kind, str) or kind not in accepted:
        shown = kind if isinstance(kind, str) and len(kind) < 40 else "?"
        raise ProtocolError("unknown_type", f"unknown message type {shown!r}", ref)
    message = ClientMessage(type=kind, ref=ref, body=body)
    if types is None:
        validate(message)
    else:
        types[kind](message)
    return message


def validate(message: ClientMessage) -> None:
    body, ref = message.body, message.ref
    if message.type == "hello":
        _int(body, "last_seq", ref)
    elif message.type == "mark_read":
        _int(body, "seq", ref, minimum=1)
    elif message.type in ("subscribe", "unsubscribe"):
        topic = body.get("topic")
        if not isinstance(topic, str) or not topic or len(topic) > 64:
            raise ProtocolError("bad_request", "'topic' must be a topic name", ref)
        params = body.get("params", {})
        if not isinstance(params, dict):
            raise ProtocolError("bad_request", "'params' must be an object", ref)


def server_frame(kind: str, **fields: Any) -> str:
    return json.dumps({"v": VERSION, "type": kind, **fields}, separators=(",", ":"))


def error_frame(code: str, message: str, ref: Any = None) -> str:
    fields: dict[str, Any] = {"code": code, "message": message}
    if ref is not None:
        fields["ref"] = ref
    return server_frame("error", **fields)
