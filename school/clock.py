"""The school's own calendar day: due dates and grade-entry windows are dates in the
tenant's timezone, not the server's."""

from datetime import date
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone


def tenant_today() -> date:
    tenant = getattr(connection, "tenant", None)
    zone = ZoneInfo(getattr(tenant, "timezone", None) or "UTC")
    return timezone.localdate(timezone=zone)


def tenant_currency() -> str:
    tenant = getattr(connection, "tenant", None)
    currency: str = getattr(tenant, "currency", None) or "USD"
    return currency
