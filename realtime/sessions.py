"""Control messages that end live connections: logout, and suspension of a tenant."""

from django_tenants.utils import get_public_schema_name

from realtime.events import send_on_commit
from realtime.groups import tenant_group, user_group
from tenants.db import current_schema_name


def session_ended(*, user_id: int, session_key: str) -> None:
    """The user's sockets opened with `session_key` close (4401); other devices stay."""
    schema = current_schema_name()
    if schema == get_public_schema_name():
        return  # operators' sockets re-check their session themselves
    send_on_commit(
        messages=[
            (
                user_group(schema_name=schema, user_id=user_id),
                {"type": "session.ended", "session_key": session_key},
            )
        ]
    )


def tenant_suspended(*, schema_name: str) -> None:
    """Every socket of the tenant closes (4423) once the suspension commits."""
    send_on_commit(messages=[(tenant_group(schema_name=schema_name), {"type": "tenant.suspended"})])
