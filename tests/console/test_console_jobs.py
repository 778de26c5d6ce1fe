"""Scheduled jobs and the console: a tenant suspended from the console gets none of the beat's
fan-out; a task that fails in a tenant's schema shows on that tenant's row of the panel."""

import pytest

from config.celery import app
from console.monitor import Snapshot, monitor_snapshot
from tenants.models import Tenant
from tenants.tasks import enqueue_for_tenant
from tests.celery_worker import (
    SCHEMAS_SEEN,
    queued_for_real,
    real_worker,
    record_schema,
    schemas_reached_by_fan_out,
    wait_for,
)
from tests.console.factories import console_client, make_operator

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]


@app.task(name="tests.console_always_fails")
def console_always_fails() -> None:
    raise RuntimeError("this job is broken on purpose")


def _failed(snapshot: Snapshot, slug: str) -> int:
    row = next(t for t in snapshot["tenants"] if t["schema"] == slug)
    failed: int = row["failed_tasks"]
    return failed


def test_suspending_in_the_console_stops_the_tenants_scheduled_jobs(
    school: Tenant, school_b: Tenant
) -> None:
    browser = console_client(make_operator())
    assert (
        browser.post(
            "/tenants/school_b/status/", {"action": "suspend", "confirm": "on"}
        ).status_code
        == 302
    )
    try:
        assert schemas_reached_by_fan_out(kind="school", at_least=1) == ["school_a"]
        # and reactivating brings it back into the next run
        assert (
            browser.post("/tenants/school_b/status/", {"action": "reactivate"}).status_code == 302
        )
        reached = schemas_reached_by_fan_out(kind="school", at_least=2)
        assert sorted(reached) == ["school_a", "school_b"]
    finally:
        Tenant.objects.filter(pk=school_b.pk).update(status="active")


def test_a_failed_task_counts_against_its_tenant(clinic: Tenant, clinic_b: Tenant) -> None:
    before = monitor_snapshot()
    with real_worker():
        enqueue_for_tenant(console_always_fails, schema_name="clinic_a")
        assert wait_for(
            lambda: _failed(monitor_snapshot(), "clinic_a") > _failed(before, "clinic_a")
        )
    after = monitor_snapshot()
    assert _failed(after, "clinic_a") - _failed(before, "clinic_a") == 1
    assert _failed(after, "clinic_b") == _failed(before, "clinic_b")
    assert after["celery"]["failed"] - before["celery"]["failed"] == 1


def test_queue_depth_shows_work_waiting_for_a_worker(school: Tenant) -> None:
    SCHEMAS_SEEN.clear()
    with queued_for_real():
        before = monitor_snapshot()["celery"]["queues"]["celery"]
        assert before is not None
        # when two jobs are queued and no worker runs
        for _ in range(2):
            enqueue_for_tenant(record_schema, schema_name="school_a")
        assert monitor_snapshot()["celery"]["queues"]["celery"] == before + 2
    # then a worker drains the queue
    with real_worker():
        assert wait_for(lambda: len(SCHEMAS_SEEN) == 2)
    assert monitor_snapshot()["celery"]["queues"]["celery"] == before
