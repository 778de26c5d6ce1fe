from typing import Any

from celery import Task

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


@app.task
def fan_out_to_tenants(*, kind: str, task_name: str) -> int:
    """Beat calls this once (in public); it queues `task_name` once per active tenant of `kind`."""
    task = app.tasks[task_name]
    count = 0
    for tenant in active_tenants(kind=kind):
        enqueue_for_tenant(task, schema_name=tenant.schema_name)
        count += 1
    return count
