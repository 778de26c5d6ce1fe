import time
from collections.abc import Callable
from dataclasses import dataclass

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from realtime import metrics
from realtime.protocol import CLOSE_FLOOD, CLOSE_TOO_BIG, MAX_FRAME_BYTES, error_frame


class TokenBucket:
    """Per-connection message budget: `burst` at once, refilled at `rate` per second."""

    def __init__(
        self, *, rate: float, burst: int, clock: Callable[[], float] | None = None
    ) -> None:
        self.rate = rate
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.clock = clock or time.monotonic
        self.updated = self.clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass(frozen=True)
class Refusal:
    """What to do with a client frame that is not let through."""

    metric: str | None  # counter to bump, if any
    error: str | None  # error frame to send, if any
    close_code: int | None  # close the socket with this, if any


class FrameGate:
    """Every socket's first check on a client frame, before parsing: the rate budget (a flood
    ends the socket after AVISO_WS_FLOOD_STRIKES refusals), binary frames, and the size limit
    in bytes. Settings are read once, when the socket opens."""

    def __init__(self) -> None:
        self.bucket = TokenBucket(
            rate=settings.AVISO_WS_RATE_PER_SECOND, burst=settings.AVISO_WS_RATE_BURST
        )
        self.flood_strikes: int = settings.AVISO_WS_FLOOD_STRIKES
        self.strikes = 0

    def check(self, text_data: str | None) -> Refusal | None:
        if not self.bucket.take():
            self.strikes += 1
            if self.strikes >= self.flood_strikes:
                return Refusal("ws.rate_limited", None, CLOSE_FLOOD)
            # Tell the client, but not once per dropped frame.
            speak = self.strikes == 1 or self.strikes % 10 == 0
            warning = error_frame("rate_limited", "slow down: too many messages")
            return Refusal("ws.rate_limited", warning if speak else None, None)
        if text_data is None:
            binary = error_frame("unsupported", "binary frames are not supported")
            return Refusal(None, binary, None)
        # The limit is in bytes; a character is up to 4 of them.
        if len(text_data) > MAX_FRAME_BYTES // 4 and len(text_data.encode()) > MAX_FRAME_BYTES:
            too_large = error_frame("too_large", f"frames are limited to {MAX_FRAME_BYTES} bytes")
            return Refusal("ws.oversized", too_large, CLOSE_TOO_BIG)
        return None


async def refuse_frame(socket: AsyncWebsocketConsumer, refusal: Refusal, *, schema: str) -> None:
    """Carry out a refusal on `socket`."""
    if refusal.metric:
        metrics.count_soon(refusal.metric, schema=schema)
    if refusal.error:
        await socket.send(refusal.error)
    if refusal.close_code is not None:
        await socket.close(code=refusal.close_code)
