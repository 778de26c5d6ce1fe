"""The monitoring panel's figures, read from where every process writes them: Redis counters
and presence (realtime.metrics, realtime.presence) and the Celery broker for queue depth.
A snapshot costs one database query (the tenant list) however many tenants there are: the
counters are written where the events happen (notify counts the notifications it commits).
Sync; run in the public schema."""

import datetime as dt
import logging
from typing import TypedDict

from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from realtime import metrics
from realtime.models import Inbox
from realtime.presence import presence_counts
from tenants.models import Tenant
from tenants.selectors import customer_tenants

logger = logging.getLogger(__name__)

WINDOW_MINUTES = 10
PERCENTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}


class Latency(TypedDict):
    p50: int | None  # ms, upper bound of the bucket; -1 means over 10 s; None: no deliveries
    p95: int | None
    p99: int | None
    count: int


class TenantFigures(TypedDict):
    schema: str
    name: str
    kind: str
    status: str
    sockets: int
    online_users: int
    created: list[int]  # per minute, oldest first; the last is the current minute
    delivered: list[int]
    replays: int
    latency_ms: Latency
    errors: dict[str, int]
    failed_tasks: int


class CeleryFigures(TypedDict):
    queues: dict[str, int | None]  # None: the broker could not be asked
    failed: int


class PlatformFigures(TypedDict):
    errors: dict[str, int]  # refusals before any tenant was known, and the operators' site
    publish_failed: int


class Snapshot(TypedDict):
    at: str
    window_minutes: int
    minutes: list[str]  # "HH:MM" (UTC) of each per-minute slot
    tenants: list[TenantFigures]
    platform: PlatformFigures
    celery: CeleryFigures


def error_reason(counter: str) -> str | None:
    """The refusal/error reason a counter stands for, or None if it is not one."""
    if counter.startswith("ws.rejected."):
        return counter.removeprefix("ws.rejected.")
    if counter.startswith("ws.error."):
        return counter.removeprefix("ws.error.")
    return {"ws.rate_limited": "rate_limited", "ws.oversized": "oversized"}.get(counter)


def by_owner(figures: metrics.Figures) -> dict[str, dict[str, int]]:
    """{schema: {counter: value}}: read once per tick, so that each tenant's row looks up
    its own counters instead of scanning everyone's (the tick stays flat at 1,000 tenants)."""
    owners: dict[str, dict[str, int]] = {}
    for (owner, counter), value in figures.items():
        owners.setdefault(owner, {})[counter] = value
    return owners


def errors_by_reason(counters: dict[str, int]) -> dict[str, int]:
    """One owner's refusal and error counters ({counter: value}) by reason."""
    errors: dict[str, int] = {}
    for counter, value in counters.items():
        reason = error_reason(counter)
        if reason and value:
            errors[reason] = errors.get(reason, 0) + value
    return dict(sorted(errors.items()))


def latency_summary(figures: metrics.Figures, *, schema: str) -> Latency:
    histogram = metrics.latency_histogram(figures, schema=schema)
    return {
        "p50": metrics.latency_percentile(histogram, PERCENTILES["p50"]),
        "p95": metrics.latency_percentile(histogram, PERCENTILES["p95"]),
        "p99": metrics.latency_percentile(histogram, PERCENTILES["p99"]),
        "count": sum(n for _, n in histogram),
    }


def notifications_created_total(*, tenant: Tenant) -> int:
    """Every notification the tenant ever created: seq counts them per recipient, gap-free.
    Reads the tenant's schema: for /metrics scrapes, never for the panel's ticks."""
    if not tenant.has_schema:
        return 0
    with schema_context(tenant.schema_name):
        total = Inbox.objects.aggregate(total=Sum("last_seq"))["total"]
    return int(total or 0)


def celery_queue_depths() -> dict[str, int | None]:
    """Messages waiting in each queue the workers consume (not yet picked up)."""
    from config.celery import app

    queues = app.amqp.queues
    names = sorted(queues.keys())
    try:
        with app.connection_for_read() as connection:
            channel = connection.default_channel
            # Declared with the very arguments the workers use, so it is a no-op that answers
            # the size (kombu's passive declare misses prefixed Redis keys).
            return {
                name: int(queues[name].bind(channel).queue_declare().message_count)
                for name in names
            }
    except Exception:
        logger.warning("the broker did not answer the queue depth", exc_info=True)
        return dict.fromkeys(names)


def monitor_snapshot(*, window_minutes: int = WINDOW_MINUTES) -> Snapshot:
    now = timezone.now()
    newest = metrics.minute_bucket(now.timestamp())
    first = newest - window_minutes + 1
    counters_by_minute = metrics.read_minutes(
        "metrics", minutes=window_minutes, now=now.timestamp()
    )
    counters = metrics.summed(counters_by_minute)
    counters_of = by_owner(counters)
    latency = metrics.summed(
        metrics.read_minutes("latency", minutes=window_minutes, now=now.timestamp())
    )
    tenants = list(customer_tenants().order_by("name"))
    presence = presence_counts(schema_names=[t.schema_name for t in tenants])
    rows: list[TenantFigures] = []
    for tenant in tenants:
        schema = tenant.schema_name
        sockets, online = presence.get(schema, (0, 0))
        own = counters_of.get(schema, {})
        rows.append(
            {
                "schema": schema,
                "name": tenant.name,
                "kind": tenant.kind,
                "status": tenant.status,
                "sockets": sockets,
                "online_users": online,
                "created": [
                    minute.get((schema, metrics.CREATED), 0) for minute in counters_by_minute
                ],
                "delivered": [
                    minute.get((schema, metrics.DELIVERED), 0) for minute in counters_by_minute
                ],
                "replays": sum(own.get(name, 0) for name in metrics.WS_REPLAYS),
                "latency_ms": latency_summary(latency, schema=schema),
                "errors": errors_by_reason(own),
                "failed_tasks": own.get(metrics.TASK_FAILED, 0),
            }
        )
    known = {t.schema_name for t in tenants}
    platform_errors: dict[str, int] = {}
    for owner in counters_of.keys() - known:
        for reason, value in errors_by_reason(counters_of[owner]).items():
            platform_errors[reason] = platform_errors.get(reason, 0) + value
    return {
        "at": now.isoformat(),
        "window_minutes": window_minutes,
        "minutes": [
            dt.datetime.fromtimestamp(bucket * 60, tz=dt.UTC).strftime("%H:%M")
            for bucket in range(first, newest + 1)
        ],
        "tenants": rows,
        "platform": {
            "errors": dict(sorted(platform_errors.items())),
            "publish_failed": sum(
                v for (_, name), v in counters.items() if name == metrics.PUBLISH_FAILED
            ),
        },
        "celery": {
            "queues": celery_queue_depths(),
            "failed": sum(v for (_, name), v in counters.items() if name == metrics.TASK_FAILED),
        },
    }
