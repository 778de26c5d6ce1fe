"""Celery task failures are counted per tenant in every process that sets Django up: the
counter is connected by RealtimeConfig.ready, not as a side effect of importing a module."""

from celery.signals import task_failure
from django_tenants.utils import schema_context

from realtime import metrics


def test_a_failed_task_is_counted_in_its_tenant() -> None:
    # given the failures counted so far for one school
    before = metrics.read_totals("metrics").get(("school_a", metrics.TASK_FAILED), 0)
    # when Celery reports a task that raised while running in that school's schema
    with schema_context("school_a"):
        task_failure.send(sender=None, task_id="t-1", exception=RuntimeError("boom"))
    # then the school's failure counter went up by one
    after = metrics.read_totals("metrics").get(("school_a", metrics.TASK_FAILED), 0)
    assert after == before + 1
