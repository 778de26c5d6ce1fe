import time
from collections.abc import Callable


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
