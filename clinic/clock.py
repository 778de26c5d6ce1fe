"""The clinic's local time. Working hours are wall-clock times in the tenant's time zone;
everything stored is an aware UTC datetime. The zone rule is tenants.clock's; this module
keeps the clinic's names for it and the clinic's way of writing an appointment's time."""

from datetime import datetime

from tenants.clock import at, day_bounds, local, parse_local, tenant_zone
from tenants.clock import today as local_today

__all__ = ["at", "clinic_tz", "day_bounds", "local", "local_today", "parse_local", "when_label"]

clinic_tz = tenant_zone


def when_label(starts_at: datetime, ends_at: datetime | None = None) -> str:
    """Human text such as 'Tue 3 Mar 2026, 10:30-11:00' in the clinic's time."""
    start = local(starts_at)
    text = f"{start:%a} {start.day} {start:%b %Y}, {start:%H:%M}"
    if ends_at is not None:
        text += f"-{local(ends_at):%H:%M}"
    return text
