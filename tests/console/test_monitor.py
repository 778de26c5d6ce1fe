"""The panel's snapshot reads counters, not the tenants' schemas: its cost in database queries
does not grow with the number of tenants."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import get_public_schema_name, schema_context

from console.monitor import monitor_snapshot
from realtime import metrics
from tenants.models import Tenant, TenantKind, TenantStatus

pytestmark = pytest.mark.django_db


def reads(queries: CaptureQueriesContext) -> list[str]:
    """The statements run, without django-tenants' search_path switches."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET ")]


def test_a_snapshot_costs_the_same_queries_however_many_tenants(school: Tenant) -> None:
    with schema_context(get_public_schema_name()):
        # given the test tenants
        with CaptureQueriesContext(connection) as few:
            fewer = monitor_snapshot()
        # when three more active tenants exist
        for n in range(3):
            Tenant.objects.create(
                schema_name=f"monitor_extra_{n}",
                name=f"Extra {n}",
                kind=TenantKind.SCHOOL,
                status=TenantStatus.ACTIVE,
            )
        with CaptureQueriesContext(connection) as many:
            more = monitor_snapshot()
    # then the snapshot lists them, with the same queries as before (the tenant list)
    assert len(more["tenants"]) == len(fewer["tenants"]) + 3
    assert len(reads(many)) == len(reads(few)) == 1


def test_created_per_minute_comes_from_the_counters(school: Tenant) -> None:
    # given notifications counted for school_a in this minute
    with schema_context(get_public_schema_name()):
        before = next(t for t in monitor_snapshot()["tenants"] if t["schema"] == "school_a")
        metrics.count(metrics.CREATED, schema="school_a", amount=3)
        after = next(t for t in monitor_snapshot()["tenants"] if t["schema"] == "school_a")
    # then the current minute shows them
    assert after["created"][-1] - before["created"][-1] == 3
