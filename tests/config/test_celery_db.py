"""A Celery worker keeps its database connection from task to task (config/settings/base.py
CELERY_DB_REUSE_MAX) and still runs each task in the schema it was queued for."""

import pytest

from tenants.models import Tenant
from tests.celery_worker import queued_for_real
from tests.config.celery_tasks import schema_and_backend
from tests.faults.procs import CeleryWorker

pytestmark = [pytest.mark.usefixtures("live_db")]


class WorkerWithTestTasks(CeleryWorker):
    def command(self) -> list[str]:
        return [*super().command(), "--include", "tests.config.celery_tasks"]


def test_a_worker_reuses_its_connection_and_keeps_each_task_in_its_tenant(
    school: Tenant, school_b: Tenant
) -> None:
    # given a real prefork worker with one process
    with WorkerWithTestTasks(hostname="db-reuse"), queued_for_real():
        # when tasks for two schools alternate on it
        tenants = [school, school_b] * 4
        with_results = [
            schema_and_backend.apply_async(headers={"_schema_name": t.schema_name}) for t in tenants
        ]
        ran = [result.get(timeout=30) for result in with_results]
    # then each ran in its own school's schema, by tenant-schemas-celery and by PostgreSQL
    assert [(r[0], r[1]) for r in ran] == [(t.schema_name, t.schema_name) for t in tenants]
    # and all of them on one connection, not a new one per task
    assert len({r[2] for r in ran}) == 1, [r[2] for r in ran]
