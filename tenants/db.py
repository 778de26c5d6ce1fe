"""Typed access to django-tenants' additions on the database connection."""

from typing import TYPE_CHECKING

from django.db import connection
from django_tenants.utils import get_public_schema_name

if TYPE_CHECKING:
    from tenants.models import Tenant


def current_schema_name() -> str:
    """The schema the current thread's connection is set to."""
    name: str = getattr(connection, "schema_name", get_public_schema_name())
    return name


def is_public_schema(schema_name: str | None = None) -> bool:
    """Whether `schema_name` (default: the current connection's) is the operators' public
    schema rather than a tenant's."""
    name = current_schema_name() if schema_name is None else schema_name
    return name == get_public_schema_name()


def use_public_schema() -> None:
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def keep_schema_of(tenant: "Tenant") -> None:
    """Point this thread's connection at `tenant`'s schema, and leave it there.

    django-tenants sends `SET search_path` before the first query after every set_tenant,
    even to the schema already set; a thread that serves one tenant's calls one after the
    other (the sockets' database threads) then pays a round trip per call for nothing. Here
    the schema is switched only when it changes; the tenant object is refreshed either way
    (current_tenant() reads it). Callers must enter the schema they need on every call."""
    if current_schema_name() == tenant.schema_name:
        connection.tenant = tenant  # type: ignore[attr-defined]
    else:
        connection.set_tenant(tenant)  # type: ignore[attr-defined]


def keep_public_schema() -> None:
    """keep_schema_of for the public schema (the tenant registry)."""
    if not is_public_schema():
        use_public_schema()
