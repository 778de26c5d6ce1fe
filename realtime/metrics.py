"""Counters and a latency histogram shared by every Daphne process and worker: per tenant,
per minute, in Redis. Bookkeeping must never break the product: Redis errors are swallowed.
The *_soon variants are for async code: the Redis call runs on a worker thread."""

import asyncio
import logging
import time
from collections.abc import Callable

from config.redis import redis_client, redis_key

logger = logging.getLogger(__name__)

RETENTION_SECONDS = 2 * 3600
# Upper bounds (ms) of the commit→client latency histogram; -1 is the open last bucket.
LATENCY_BUCKETS_MS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def minute_bucket(at: float | None = None) -> int:
    return int((at if at is not None else time.time()) // 60)


def _hincr(family: str, field: str, amount: int) -> None:
    key = redis_key(family, str(minute_bucket()))
    try:
        pipe = redis_client().pipeline(transaction=False)
        pipe.hincrby(key, field, amount)
        pipe.expire(key, RETENTION_SECONDS)
        pipe.execute()
    except Exception:
        logger.debug("metric %s not recorded", field, exc_info=True)


def _in_background(record: Callable[[], None]) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        record()
        return
    loop.run_in_executor(None, record)


def count(name: str, *, schema: str = "-", amount: int = 1) -> None:
    _hincr("metrics", f"{schema}|{name}", amount)


def count_soon(name: str, *, schema: str = "-", amount: int = 1) -> None:
    _in_background(lambda: count(name, schema=schema, amount=amount))


def observe_latency(seconds: float, *, schema: str) -> None:
    ms = seconds * 1000
    bucket = next((b for b in LATENCY_BUCKETS_MS if ms <= b), -1)
    _hincr("latency", f"{schema}|{bucket}", 1)


def observe_latency_soon(seconds: float, *, schema: str) -> None:
    _in_background(lambda: observe_latency(seconds, schema=schema))


def read_minute(family: str, bucket: int) -> dict[tuple[str, str], int]:
    """{(schema, name or latency bucket): value} for one minute of `family`."""
    raw: dict[str, str] = redis_client().hgetall(redis_key(family, str(bucket)))  # type: ignore[assignment]
    result: dict[tuple[str, str], int] = {}
    for field, value in raw.items():
        schema, _, name = field.partition("|")
        result[(schema, name)] = int(value)
    return result
