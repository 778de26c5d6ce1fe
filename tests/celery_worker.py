"""A real Celery worker (threads, in this process) consuming this run's Redis broker."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from config.celery import app
from tenants.db import current_schema_name


@contextmanager
def queued_for_real() -> Iterator[None]:
    """Tests run tasks eagerly; inside this, a task goes through the broker to a worker."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


@contextmanager
def real_worker() -> Iterator[None]:
    with (
        queued_for_real(),
        start_worker(
            app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10
        ),
    ):
        yield


# Schemas that `record_schema` ran in, in order (tests clear it first).
SCHEMAS_SEEN: list[str] = []


@app.task(name="tests.record_schema")
def record_schema() -> str:
    """A task that notes which schema tenant-schemas-celery ran it in."""
    schema = current_schema_name()
    SCHEMAS_SEEN.append(schema)
    return schema


def wait_for(predicate: Callable[[], bool], seconds: float = 15) -> bool:
    """Poll a condition a worker thread will make true (tests only)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def schemas_reached_by_fan_out(*, kind: str, at_least: int) -> list[str]:
    """Run beat's fan-out for `kind` on a real worker; the schemas the job ran in, once
    `at_least` arrived and a moment passed for any extra one to show up."""
    from tenants.tasks import fan_out_to_tenants

    SCHEMAS_SEEN.clear()
    with real_worker():
        fan_out_to_tenants.apply_async(
            kwargs={"kind": kind, "task_name": "tests.record_schema"},
            headers={"_schema_name": "public"},
        )
        assert wait_for(lambda: len(SCHEMAS_SEEN) >= at_least), SCHEMAS_SEEN
        time.sleep(0.5)
    return list(SCHEMAS_SEEN)
