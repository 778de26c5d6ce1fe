from typing import Any

from celery import Task
from django.conf import settings

from config.celery import app
from tenants.models import Tenant
from tenants.selectors import active_tenants


def enqueue_for_tenant(task: Task, *, schema_name: str, **kwargs: Any) -> None:
    """Queue `task` to run in `schema_name`, stated explicitly: tenant-schemas-celery would
    otherwise read it off the calling thread's connection, which async code leaves anywhere."""
    task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})


@app.task(bind=True, acks_late=True)
def provision_tenant(self: Task, *, tenant_id: int) -> str:
    from tenants.services import tenant_provision

    tenant = Tenant.objects.get(pk=tenant_id)
    tenant_provision(tenant=tenant)
    return tenant.schema_name


def tenant_task_limits() -> dict[str, int]:
    """Soft and hard time limits of one tenant's run of a beat job (settings)."""
    return {
        "soft_time_limit": settings.AVISO_TENANT_TASK_SOFT_TIME_LIMIT,
        "time_limit": settings.AVISO_TENANT_TASK_TIME_LIMIT,
    }


@app.task
def fan_out_to_tenants(*, kind: str, task_name: str) -> int:
    """Beat calls this once (in public); it queues `task_name` once per active tenant of `kind`.

    One query reads the schema names and every message goes out on one broker connection, so
    a thousand tenants are queued in well under a second. Each tenant's run is its own task
    with its own time limits: any free worker process takes the next one, and one tenant's
    long or stuck run delays no other tenant (settings: acks_late, prefetch multiplier 1)."""
    task = app.tasks[task_name]
    schemas = list(active_tenants(kind=kind).order_by("pk").values_list("schema_name", flat=True))
    limits = tenant_task_limits()
    with app.producer_or_acquire() as producer:
        for schema_name in schemas:
            task.apply_async(headers={"_schema_name": schema_name}, producer=producer, **limits)
    return len(schemas)
