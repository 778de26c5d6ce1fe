"""The school's own calendar day: due dates and grade-entry windows are dates in the
tenant's time zone, not the server's (tenants.clock holds the rule)."""

from datetime import date

from tenants import clock
from tenants.selectors import current_tenant


def tenant_today() -> date:
    return clock.today()


def tenant_currency() -> str:
    return current_tenant().currency or "USD"
