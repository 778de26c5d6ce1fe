"""What the school's socket tests do from their event loop: run ORM code in a tenant and post
a form as a signed-in person, each on Channels' database thread."""

from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Tenant
from tests.factories import client_for


def _in(tenant: Tenant, fn: Callable[[], Any]) -> Any:
    with tenant_context(tenant):
        return fn()


in_tenant = database_sync_to_async(_in)


def _post(tenant: Tenant, user: User, url: str, data: dict[str, str] | None = None) -> int:
    status: int = client_for(tenant, user).post(url, data or {}).status_code
    return status


post = database_sync_to_async(_post)
