"""Live feeds of the school app (registered in SchoolConfig.ready)."""

from collections.abc import Mapping
from typing import Any

from accounts.models import User
from accounts.roles import Role
from realtime.topics import TopicDenied
from school.services.invoices import PAYMENTS_FEED_ID
from tenants.db import current_tenant


def authorize_payments_feed(user: User, params: Mapping[str, Any]) -> int:
    if current_tenant().kind != "school":
        raise TopicDenied("This is not a school.")
    if not user.has_role(Role.ADMINISTRATOR):
        raise TopicDenied("Only administrators may watch the payments feed.")
    return PAYMENTS_FEED_ID
