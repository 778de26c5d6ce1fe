"""Who may watch realtime's own topics (the apps keep theirs in `<app>/access.py`)."""

from collections.abc import Mapping
from typing import Any

from accounts.models import User
from realtime.topics import TopicDenied


def authorize_presence(user: User, params: Mapping[str, Any]) -> int:
    """Staff of the tenant see who of their team is online; one feed per tenant (id 0)."""
    if not user.is_tenant_staff:
        raise TopicDenied("Only staff see who is online.")
    return 0
