"""Races run for real: each job in its own thread and database connection, released at once,
so PostgreSQL (not the test's ordering) decides who wins."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection
from django_tenants.utils import tenant_context

from tenants.models import Tenant


def in_threads(tenant: Tenant, jobs: list[Callable[[], Any]], *, timeout: float = 60) -> list[Any]:
    """Run each job in its own thread and connection, all released at once; each job's result,
    or the exception it raised, in the jobs' order."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            with tenant_context(tenant):
                barrier.wait()
                results[i] = job()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results
