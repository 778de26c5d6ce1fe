"""Typed access to django-tenants' additions on the database connection."""

from django.db import connection
from django_tenants.utils import get_public_schema_name


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
