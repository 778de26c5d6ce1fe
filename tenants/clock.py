"""The tenant's own clock, in one place: every tenant has a time zone (Tenant.timezone), its
pages show times in it, and its calendar days (due dates, working hours) are days there, not
the server's. Everything stored is an aware UTC datetime; this module converts.

A blank or unknown zone name reads as UTC (the server's TIME_ZONE), so a bad value in the
registry shows times in UTC instead of breaking the tenant's pages."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from tenants.models import Tenant
from tenants.selectors import current_tenant

UTC = ZoneInfo("UTC")


def tenant_zone(tenant: Tenant | None = None) -> ZoneInfo:
    """The time zone of `tenant` (default: the tenant of the current schema)."""
    name = (tenant if tenant is not None else current_tenant()).timezone
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def activate(tenant: Tenant) -> None:
    """Make `tenant`'s zone the current one for this request/thread (templates, forms)."""
    timezone.activate(tenant_zone(tenant))


def local(moment: datetime) -> datetime:
    """`moment` on the current tenant's wall clock."""
    return timezone.localtime(moment, tenant_zone())


def now() -> datetime:
    """The current moment on the current tenant's wall clock."""
    return local(timezone.now())


def today() -> date:
    """The current tenant's calendar day."""
    return now().date()


def at(day: date, clock: time) -> datetime:
    """The aware moment of a wall-clock time on one of the tenant's days."""
    return datetime.combine(day, clock, tzinfo=tenant_zone())


def day_bounds(day: date, days: int = 1) -> tuple[datetime, datetime]:
    """[start, end) of `days` of the tenant's days from `day`, as aware moments."""
    return at(day, time.min), at(day + timedelta(days=days), time.min)


def parse_local(value: str) -> datetime:
    """An ISO datetime from a form: aware values are kept, naive ones are tenant wall time."""
    parsed = datetime.fromisoformat(value.strip())
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=tenant_zone())
    return parsed
