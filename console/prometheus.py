"""/metrics in the Prometheus text format: the panel's figures, labelled by tenant (schema).

Counters are all-time totals kept in Redis by every process (realtime.metrics), so a scrape
of any one web process sees the whole cluster and a restart never resets them. Sync; call in
the public schema."""

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from console.monitor import (
    celery_queue_depths,
    error_reason,
    notifications_created_total,
)
from realtime import metrics
from realtime.presence import presence_counts
from tenants.selectors import customer_tenants

# Refusals before any tenant is known carry tenant="-"; the operators' site, tenant="public".
COUNTERS = {
    metrics.WS_CONNECTED: ("aviso_ws_connections", "WebSockets accepted for a signed-in user"),
    metrics.WS_DISCONNECTED: ("aviso_ws_disconnections", "Signed-in WebSockets closed"),
    metrics.DELIVERED: (
        "aviso_notifications_delivered",
        "Notifications sent to a socket (live or replayed; a user with two tabs counts twice)",
    ),
    metrics.TASK_FAILED: ("aviso_celery_tasks_failed", "Celery tasks that raised"),
    metrics.PUBLISH_FAILED: (
        "aviso_publish_failed",
        "Live copies Redis refused (clients still get them from the database)",
    ),
}


class AvisoCollector:
    def collect(self) -> Iterator[Metric]:
        totals = metrics.read_totals("metrics")
        latency = metrics.read_totals("latency")
        tenants = list(customer_tenants().order_by("schema_name"))
        presence = presence_counts(schema_names=[t.schema_name for t in tenants])

        info = GaugeMetricFamily(
            "aviso_tenant_info",
            "One per tenant, with its kind and status",
            labels=["tenant", "kind", "status"],
        )
        sockets = GaugeMetricFamily(
            "aviso_ws_open_sockets", "Open signed-in WebSockets (all processes)", labels=["tenant"]
        )
        online = GaugeMetricFamily(
            "aviso_users_online", "Users with at least one open socket", labels=["tenant"]
        )
        created = CounterMetricFamily(
            "aviso_notifications_created", "Notifications committed", labels=["tenant"]
        )
        for tenant in tenants:
            schema = tenant.schema_name
            info.add_metric([schema, tenant.kind, tenant.status], 1)
            open_sockets, users = presence.get(schema, (0, 0))
            sockets.add_metric([schema], open_sockets)
            online.add_metric([schema], users)
            created.add_metric([schema], notifications_created_total(tenant=tenant))
        yield from (info, sockets, online, created)

        families = {
            name: CounterMetricFamily(metric, doc, labels=["tenant"])
            for name, (metric, doc) in COUNTERS.items()
        }
        replays = CounterMetricFamily(
            "aviso_ws_replays",
            "Replays served from the database (hello, gap, resync)",
            labels=["tenant", "kind"],
        )
        errors = CounterMetricFamily(
            "aviso_ws_errors",
            "Refused handshakes and frames, by reason",
            labels=["tenant", "reason"],
        )
        for (schema, name), value in sorted(totals.items()):
            reason = error_reason(name)
            if name in families:
                families[name].add_metric([schema], value)
            elif name in metrics.WS_REPLAYS:
                replays.add_metric([schema, name.removeprefix("ws.")], value)
            elif reason:
                errors.add_metric([schema, reason], value)
        yield from families.values()
        yield from (replays, errors)

        histogram = HistogramMetricFamily(
            "aviso_delivery_latency_seconds",
            "Commit to socket send of live notifications",
            labels=["tenant"],
        )
        for schema in sorted({schema for schema, _ in latency}):
            cumulative = 0
            buckets: list[tuple[str, float]] = []
            for bound, n in metrics.latency_histogram(latency, schema=schema):
                cumulative += n
                buckets.append(("+Inf" if bound == -1 else str(bound / 1000), cumulative))
            sum_seconds = latency.get((schema, metrics.LATENCY_SUM), 0) / 1_000_000
            histogram.add_metric([schema], buckets, sum_value=sum_seconds)
        yield histogram

        depth = GaugeMetricFamily(
            "aviso_celery_queue_depth", "Tasks waiting in the broker", labels=["queue"]
        )
        for queue, size in celery_queue_depths().items():
            if size is not None:
                depth.add_metric([queue], size)
        yield depth


def prometheus_text() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AvisoCollector())
    return generate_latest(registry)
