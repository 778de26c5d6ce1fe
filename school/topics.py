"""Live feeds of the school app (registered in SchoolConfig.ready)."""

from collections.abc import Mapping
from typing import Any

from django.db import connection

from accounts.models import User
from accounts.roles import Role
from realtime.topics import TopicDenied
from school.services.invoices import PAYMENTS_FEED_ID


def authorize_payments_feed(user: User, params: Mapping[str, Any]) -> int:
    tenant = getattr(connection, "tenant", None)
    if getattr(tenant, "kind", None) != "school":
        raise TopicDenied("This is not a school.")
    if not user.has_role(Role.ADMINISTRATOR):
        raise TopicDenied("Only administrators may watch the payments feed.")
    return PAYMENTS_FEED_ID
