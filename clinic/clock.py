"""The clinic's local time. Working hours are wall-clock times in the tenant's time zone;
everything stored is an aware UTC datetime. The zone rule is tenants.clock's; this module
keeps the clinic's names for it and the clinic's way of writing an appointment's time."""

from datetime import datetime, tzinfo

from django.utils import timezone
from django.utils.formats import date_format, time_format

from tenants.clock import at, day_bounds, local, parse_local, tenant_zone
from tenants.clock import today as local_today

__all__ = ["at", "clinic_tz", "day_bounds", "local", "local_today", "parse_local", "when_label"]

clinic_tz = tenant_zone


def when_label(
    starts_at: datetime, ends_at: datetime | None = None, *, zone: tzinfo | None = None
) -> str:
    """An appointment's time in the clinic's zone (or `zone`), written as the reader's locale
    writes a date and time (SHORT_DATETIME_FORMAT, the end as TIME_FORMAT, an en dash between):
    the format the pages use, e.g. "03/03/2026 10:30-11:00" in es-MX. Call it when the text is
    shown, in the reader's language."""
    zone = zone or tenant_zone()
    text = date_format(timezone.localtime(starts_at, zone), "SHORT_DATETIME_FORMAT")
    if ends_at is not None:
        text += "\u2013" + time_format(timezone.localtime(ends_at, zone), "TIME_FORMAT")
    return text
