from typing import Any

from django.http import HttpRequest

from realtime.selectors import notification_last_seq, notification_unread_count
from tenants.db import is_public_schema


def realtime(request: HttpRequest) -> dict[str, Any]:
    """The inbox state the page is rendered with: the socket resumes right after it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_public_schema():
        return {}
    return {
        "aviso_last_seq": notification_last_seq(user=user.pk),
        "aviso_unread": notification_unread_count(user=user.pk),
    }
