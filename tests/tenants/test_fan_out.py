"""Beat's per-tenant fan-out on a real `celery worker` (prefork, two processes, as deployed):
one task per active tenant of the kind, each with its own time limits, and a tenant whose run
is slow or stuck holds one worker process only, never the other tenants' runs."""

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.celery import app
from config.redis import redis_client
from tenants.models import Domain, Tenant, TenantStatus
from tenants.tasks import fan_out_to_tenants
from testing.tenants import onboard
from tests.celery_worker import queued_for_real
from tests.faults.procs import CeleryWorker
from tests.tenants.fan_out_tasks import key

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

EXTRA_SCHOOLS = [f"fanout_{i}" for i in range(1, 7)]
JOB = "tests.fan_out.hold_one_tenant"


class FanOutWorker(CeleryWorker):
    """The product's worker with two processes and the test-only job loaded. The broker's
    visibility timeout is the deployed one: the fault tests' 4 s would hand a task that is
    merely slow to the other process."""

    def __init__(self, **env: str) -> None:
        super().__init__(hostname="fanout", FAULTS_VISIBILITY_TIMEOUT="3600", **env)

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("--concurrency") + 1] = "2"
        return [*command, "--include", "tests.tenants.fan_out_tasks"]


@pytest.fixture(scope="module")
def schools(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[str]]:
    """Eight schools, onboarded the real way, of which school_b is suspended: the active ones."""
    with django_db_blocker.unblock():
        for slug in EXTRA_SCHOOLS:
            onboard(slug=slug, kind="school", domain=f"{slug.replace('_', '-')}.test")
        Tenant.objects.filter(schema_name="school_b").update(status=TenantStatus.SUSPENDED)
    try:
        yield ["school_a", *EXTRA_SCHOOLS]
    finally:
        with django_db_blocker.unblock():
            Tenant.objects.filter(schema_name="school_b").update(status=TenantStatus.ACTIVE)
            for tenant in Tenant.objects.filter(schema_name__in=EXTRA_SCHOOLS):
                tenant.delete(force_drop=True)
            Domain.objects.filter(domain__startswith="fanout-").delete()


@pytest.fixture(autouse=True)
def _fresh_marks() -> None:
    redis = redis_client()
    for name in ("started", "finished", "interrupted", "slow", "release"):
        redis.delete(key(name))


def redis_list(name: str) -> list[str]:
    return cast(list[str], redis_client().lrange(name, 0, -1))


def marks(name: str) -> list[str]:
    return redis_list(key(name))


def beat_fans_out(kind: str) -> None:
    """What beat sends (config.settings CELERY_BEAT_SCHEDULE), with the test-only job."""
    with queued_for_real():
        fan_out_to_tenants.apply_async(
            kwargs={"kind": kind, "task_name": JOB}, headers={"_schema_name": "public"}
        )


def wait_for(check: Callable[[], bool], *, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(
        f"no {what} after {within}s: started={marks('started')}, finished={marks('finished')}"
    )


def test_a_slow_tenant_does_not_delay_the_other_tenants(schools: list[str]) -> None:
    # given eight schools (one suspended), two clinics, and a school whose run of the job
    # holds its worker process until the test lets it go
    slow, others = schools[0], schools[1:]
    redis_client().set(key("slow"), slow)
    with FanOutWorker():
        # when beat fans the job out to the schools on a worker with two processes
        beat_fans_out("school")

        # then every other school's run finishes while the slow one is still running (its
        # message may be the queue's last: it is waited for too, not assumed first)
        wait_for(
            lambda: slow in marks("started") and set(marks("finished")) >= set(others),
            within=30,
            what="other schools done and the slow one started",
        )
        assert slow not in marks("finished")

        # and the slow one finishes once it is let go
        redis_client().set(key("release"), "1")
        wait_for(lambda: slow in marks("finished"), within=10, what="slow school done")
        time.sleep(1)  # a second copy of any tenant's task would show up now

    # and each active school got exactly one run; the suspended school and the clinics none
    assert Counter(marks("started")) == Counter(schools)
    assert Counter(marks("finished")) == Counter(schools)


def test_a_stuck_tenant_is_stopped_by_its_time_limit(schools: list[str]) -> None:
    # given a school whose run of the job never ends by itself, and per-tenant limits of
    # 2 s (soft) and 6 s (hard)
    stuck = schools[0]
    redis_client().set(key("slow"), stuck)
    with FanOutWorker(AVISO_TENANT_TASK_SOFT_TIME_LIMIT="2", AVISO_TENANT_TASK_TIME_LIMIT="6"):
        # when beat fans the job out
        beat_fans_out("school")

        # then the stuck run is interrupted by its soft limit, never finished, and every other
        # school's run is done
        wait_for(lambda: marks("interrupted") == [stuck], within=20, what="interruption")
        wait_for(
            lambda: set(marks("finished")) == set(schools[1:]),
            within=20,
            what="other schools done",
        )
        time.sleep(1)
    assert stuck not in marks("finished")
    assert Counter(marks("started")) == Counter(schools)


def test_fan_out_queues_one_message_per_active_tenant_with_one_query(
    schools: list[str], clinic: Tenant, clinic_b: Tenant
) -> None:
    # given two active clinics and beat's settings for the workers
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    queue = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] + "celery"
    redis = redis_client()
    redis.delete(queue)

    # when the fan-out runs for schools and then for clinics (no worker is listening)
    with queued_for_real(), CaptureQueriesContext(connection) as queries:
        schools_queued = fan_out_to_tenants(kind="school", task_name=JOB)
        clinics_queued = fan_out_to_tenants(kind="clinic", task_name=JOB)
    try:
        messages = [json.loads(raw) for raw in redis_list(queue)]
    finally:
        redis.delete(queue)

    # then it read the tenant list once per kind and nothing per tenant (django-tenants'
    # own SET search_path aside)
    reads = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET ")]
    assert len(reads) == 2, reads
    # and queued one message per active tenant of the kind, each for its own schema, with the
    # per-tenant time limits from settings
    assert (schools_queued, clinics_queued) == (len(schools), 2)
    headers = [m["headers"] for m in messages]
    assert Counter(h["_schema_name"] for h in headers) == Counter(
        [*schools, "clinic_a", "clinic_b"]
    )
    assert {h["task"] for h in headers} == {JOB}
    assert {tuple(h["timelimit"]) for h in headers} == {
        (settings.AVISO_TENANT_TASK_TIME_LIMIT, settings.AVISO_TENANT_TASK_SOFT_TIME_LIMIT)
    }
