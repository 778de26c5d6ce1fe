"""The school's own calendar day: due dates and grade-entry windows are dates in the
tenant's timezone, not the server's."""

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

from tenants.db import current_tenant


def tenant_today() -> date:
    zone = ZoneInfo(current_tenant().timezone or "UTC")
    return timezone.localdate(timezone=zone)


def tenant_currency() -> str:
    return current_tenant().currency or "USD"
