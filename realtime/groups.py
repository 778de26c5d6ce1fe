"""The only place channel-layer group names are made. Every name is built from ids the server
owns and starts with the tenant's schema, so no client string and no other tenant can reach it."""

import re

from tenants.db import is_public_schema

# Channels' own rule for group names, and its length limit.
_GROUP_NAME = re.compile(r"^[a-zA-Z\d\-_.]{1,99}$")
_SCHEMA = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_WORD = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


class GroupNameError(ValueError):
    pass


def _checked(name: str) -> str:
    if not _GROUP_NAME.match(name):
        raise GroupNameError(f"invalid group name {name!r}")
    return name


def _schema(schema_name: str) -> str:
    if not _SCHEMA.match(schema_name) or is_public_schema(schema_name):
        raise GroupNameError(f"not a tenant schema: {schema_name!r}")
    return schema_name


def user_group(*, schema_name: str, user_id: int) -> str:
    return _checked(f"t.{_schema(schema_name)}.u.{int(user_id)}")


def tenant_group(*, schema_name: str) -> str:
    """Every socket of a tenant: for tenant-wide control messages (suspension)."""
    return _checked(f"t.{_schema(schema_name)}.all")


def role_group(*, schema_name: str, role: str) -> str:
    if not _WORD.match(role):
        raise GroupNameError(f"invalid role {role!r}")
    return _checked(f"t.{_schema(schema_name)}.r.{role}")


def topic_group(*, schema_name: str, topic: str, object_id: int) -> str:
    """A live feed about one object, e.g. a dentist's schedule ("clinic.schedule", 7)."""
    parts = topic.split(".")
    if not parts or not all(_WORD.match(part) for part in parts):
        raise GroupNameError(f"invalid topic {topic!r}")
    return _checked(f"t.{_schema(schema_name)}.o.{topic}.{int(object_id)}")


def operators_group() -> str:
    """The operators' console on the public site (not a tenant's)."""
    return "p.operators"


def operator_group(*, user_id: int) -> str:
    """One operator's console sockets (public schema): for control messages (logout)."""
    return _checked(f"p.operators.u.{int(user_id)}")
