"""Work queued on Celery runs in the schema it was queued for, on a real worker and broker."""

import asyncio
from collections.abc import Callable

import pytest
from django_tenants.utils import schema_context

from tenants.models import Domain, Tenant, TenantStatus
from tenants.progress import progress_read
from tenants.services import tenant_create
from tenants.tasks import enqueue_for_tenant
from tests.celery_worker import (
    SCHEMAS_SEEN,
    real_worker,
    record_schema,
    schemas_reached_by_fan_out,
    wait_for,
)

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]


def test_task_queued_from_async_code_runs_in_the_tenant_schema(school: Tenant) -> None:
    SCHEMAS_SEEN.clear()

    async def from_a_socket_handler() -> None:
        # async code's thread is in whatever schema; the header says which one to use
        enqueue_for_tenant(record_schema, schema_name="school_a")

    with real_worker():
        asyncio.run(from_a_socket_handler())
        assert wait_for(lambda: SCHEMAS_SEEN == ["school_a"]), SCHEMAS_SEEN


def test_beat_fan_out_reaches_every_active_tenant_of_the_kind(
    school: Tenant, school_b: Tenant, clinic: Tenant
) -> None:
    Tenant.objects.filter(pk=school_b.pk).update(status=TenantStatus.SUSPENDED)
    try:
        reached = schemas_reached_by_fan_out(kind="school", at_least=1)
    finally:
        Tenant.objects.filter(pk=school_b.pk).update(status=TenantStatus.ACTIVE)
    # not the suspended school, not the clinic, not the template
    assert reached == ["school_a"]


def _provisioned(slug: str) -> Callable[[], bool]:
    def check() -> bool:
        progress = progress_read(slug=slug)
        return progress is not None and progress["state"] == "done"

    return check


def test_onboarding_from_the_console_provisions_on_a_worker_with_progress(school: Tenant) -> None:
    try:
        with real_worker():
            tenant = tenant_create(
                name="Hotel",
                slug="hotel_school",
                kind="school",
                domains=["hotel.test"],
                admin_email="a@hotel.test",
            )
            assert wait_for(_provisioned("hotel_school")), progress_read(slug="hotel_school")
        tenant.refresh_from_db()
        assert tenant.status == TenantStatus.ACTIVE
        with schema_context("hotel_school"):
            from accounts.models import User

            assert User.objects.filter(email="a@hotel.test").exists()
    finally:
        for leftover in Tenant.objects.filter(schema_name="hotel_school"):
            leftover.delete(force_drop=True)
        Domain.objects.filter(domain="hotel.test").delete()
