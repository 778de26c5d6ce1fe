"""Counters and a latency histogram shared by every Daphne process and worker: per tenant,
per minute, in Redis, plus all-time totals (Prometheus counters must never go down when a
process restarts, so they cannot live in process memory). Bookkeeping must never break the
product: Redis errors are swallowed. The *_soon variants are for async code: they batch, and
a worker thread writes the batch."""

import atexit
import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from celery.signals import task_failure
from django.db import transaction

from config.redis import redis_client, redis_key

logger = logging.getLogger(__name__)

RETENTION_SECONDS = 2 * 3600
# Upper bounds (ms) of the commit→client latency histogram; -1 is the open last bucket.
LATENCY_BUCKETS_MS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
TOTAL = "total"  # the bucket name of the all-time hashes

# Counter names, in one place for the consumer, the panel and /metrics.
WS_CONNECTED = "ws.connected"
WS_DISCONNECTED = "ws.disconnected"
WS_REPLAYS = ("ws.replays", "ws.gap_replays", "ws.resync_replays")
CREATED = "notifications.created"
DELIVERED = "notifications.delivered"
TASK_FAILED = "celery.failed"
PUBLISH_FAILED = "publish_failed"


def minute_bucket(at: float | None = None) -> int:
    return int((at if at is not None else time.time()) // 60)


def _hincr(family: str, amounts: dict[str, int]) -> None:
    _hincr_all({family: amounts})


def _hincr_all(families: dict[str, dict[str, int]]) -> None:
    """One pipeline, one round trip, for every family's figures."""
    minute = str(minute_bucket())
    try:
        pipe = redis_client().pipeline(transaction=False)
        for family, amounts in families.items():
            key = redis_key(family, minute)
            for field, amount in amounts.items():
                pipe.hincrby(key, field, amount)
                pipe.hincrby(redis_key(family, TOTAL), field, amount)
            pipe.expire(key, RETENTION_SECONDS)
        pipe.execute()
    except Exception:
        logger.debug("metrics %s not recorded", list(families), exc_info=True)


# The *_soon variants add to an in-process batch that one daemon thread writes to Redis a
# moment later: a broadcast to 1,000 sockets costs one pipeline, not 2,000 round trips. The
# thread is independent of any event loop, so a batch can never be stranded on a closed one.
# A second: the figures are read per minute, and by the operators' panel every 2 s
# (AVISO_MONITOR_SECONDS). At 0.25 s, with a round trip per family, a server publishing 10
# notifications/s woke this thread up to four times and went to Redis up to eight times a
# second for them: a fixed cost that CPU per notification at low rates showed (bench/README.md).
FLUSH_DELAY_SECONDS = 1.0
_batch: dict[str, dict[str, int]] = {}
_batch_lock = threading.Lock()
_batch_waiting = threading.Event()
_flusher: threading.Thread | None = None


def _add_soon(family: str, amounts: dict[str, int]) -> None:
    global _flusher
    with _batch_lock:
        pending = _batch.setdefault(family, {})
        for field, amount in amounts.items():
            pending[field] = pending.get(field, 0) + amount
        if _flusher is None or not _flusher.is_alive():
            _flusher = threading.Thread(target=_flush_forever, name="aviso-metrics", daemon=True)
            _flusher.start()
    _batch_waiting.set()


def _flush_forever() -> None:
    while True:
        _batch_waiting.wait()
        time.sleep(FLUSH_DELAY_SECONDS)
        _batch_waiting.clear()
        flush()


def flush() -> None:
    """Write the batched figures now."""
    with _batch_lock:
        pending = {family: dict(amounts) for family, amounts in _batch.items()}
        _batch.clear()
    if pending:
        _hincr_all(pending)


atexit.register(flush)


def count(name: str, *, schema: str = "-", amount: int = 1) -> None:
    _hincr("metrics", {f"{schema}|{name}": amount})


def count_soon(name: str, *, schema: str = "-", amount: int = 1) -> None:
    _add_soon("metrics", {f"{schema}|{name}": amount})


def count_on_commit(name: str, *, schema: str, amount: int = 1) -> None:
    """Count (batched, like count_soon) once the current transaction commits; a rollback
    counts nothing. Lets the panel read per-minute figures without asking every schema."""
    transaction.on_commit(lambda: count_soon(name, schema=schema, amount=amount))


LATENCY_SUM = "sum_us"  # total observed latency in microseconds (Prometheus' _sum)


def _latency_fields(seconds: float, schema: str) -> dict[str, int]:
    ms = seconds * 1000
    bucket = next((b for b in LATENCY_BUCKETS_MS if ms <= b), -1)
    micros = max(0, round(seconds * 1_000_000))
    return {f"{schema}|{bucket}": 1, f"{schema}|{LATENCY_SUM}": micros}


def observe_latency(seconds: float, *, schema: str) -> None:
    _hincr("latency", _latency_fields(seconds, schema))


def observe_latency_soon(seconds: float, *, schema: str) -> None:
    _add_soon("latency", _latency_fields(seconds, schema))


# --- reading -------------------------------------------------------------------------------

Figures = dict[tuple[str, str], int]  # {(schema, counter name or latency bucket): value}


def _parse(raw: dict[str, str]) -> Figures:
    result: Figures = {}
    for field, value in raw.items():
        schema, _, name = field.partition("|")
        result[(schema, name)] = int(value)
    return result


def read_minute(family: str, bucket: int | str) -> Figures:
    """{(schema, name or latency bucket): value} for one minute of `family`."""
    raw: dict[str, str] = redis_client().hgetall(redis_key(family, str(bucket)))  # type: ignore[assignment]
    return _parse(raw)


def read_minutes(family: str, *, minutes: int, now: float | None = None) -> list[Figures]:
    """The last `minutes` minute buckets of `family`, oldest first; the last is the current
    (still filling) minute."""
    newest = minute_bucket(now)
    pipe = redis_client().pipeline(transaction=False)
    for bucket in range(newest - minutes + 1, newest + 1):
        pipe.hgetall(redis_key(family, str(bucket)))
    return [_parse(raw) for raw in pipe.execute()]


def read_totals(family: str) -> Figures:
    """All-time figures of `family` (since Redis last lost its data)."""
    return read_minute(family, TOTAL)


def summed(minutes: Iterable[Figures]) -> Figures:
    total: Figures = {}
    for figures in minutes:
        for key, value in figures.items():
            total[key] = total.get(key, 0) + value
    return total


def latency_histogram(figures: Figures, *, schema: str) -> list[tuple[int, int]]:
    """[(upper bound in ms, or -1 for "more"), count] in bucket order, for one tenant."""
    order = [*LATENCY_BUCKETS_MS, -1]
    return [(bound, figures.get((schema, str(bound)), 0)) for bound in order]


def latency_percentile(histogram: list[tuple[int, int]], fraction: float) -> int | None:
    """The upper bound (ms) of the bucket holding the `fraction` quantile; None if empty, -1
    when it is in the open last bucket (over 10 s)."""
    observed = sum(n for _, n in histogram)
    if not observed:
        return None
    rank = fraction * observed
    seen = 0
    for bound, n in histogram:
        seen += n
        if seen >= rank:
            return bound
    return -1


# --- Celery --------------------------------------------------------------------------------


def _task_failed(sender: Any = None, **_: Any) -> None:
    # tenant-schemas-celery has the task's schema set until task_postrun, which comes later.
    from tenants.db import current_schema_name

    try:
        schema = current_schema_name()
    except Exception:
        schema = "-"
    count(TASK_FAILED, schema=schema)


def connect_task_failure_counter() -> None:
    """Count this process's failed tasks (the panel and /metrics read them back from Redis).
    Called from RealtimeConfig.ready, so every process that sets Django up (web, workers)
    counts them; connecting twice is harmless (one dispatch_uid)."""
    task_failure.connect(_task_failed, weak=False, dispatch_uid="aviso.metrics.task_failed")
