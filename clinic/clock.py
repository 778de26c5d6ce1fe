"""The clinic's local time. Working hours are wall-clock times in the tenant's timezone;
everything stored is an aware UTC datetime."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from tenants.db import current_tenant


def clinic_tz() -> ZoneInfo:
    try:
        return ZoneInfo(current_tenant().timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment, clinic_tz())


def local_today() -> date:
    return local(timezone.now()).date()


def at(day: date, clock: time) -> datetime:
    """The aware moment of a wall-clock time on a local day."""
    return datetime.combine(day, clock, tzinfo=clinic_tz())


def day_bounds(day: date, days: int = 1) -> tuple[datetime, datetime]:
    return at(day, time.min), at(day + timedelta(days=days), time.min)


def when_label(starts_at: datetime, ends_at: datetime | None = None) -> str:
    """Human text such as 'Tue 3 Mar 2026, 10:30-11:00' in the clinic's time."""
    start = local(starts_at)
    text = f"{start:%a} {start.day} {start:%b %Y}, {start:%H:%M}"
    if ends_at is not None:
        text += f"-{local(ends_at):%H:%M}"
    return text


def parse_local(value: str) -> datetime:
    """An ISO datetime from a form: aware values are kept, naive ones are clinic wall time."""
    parsed = datetime.fromisoformat(value.strip())
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=clinic_tz())
    return parsed
