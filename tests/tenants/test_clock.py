"""The tenant's clock (tenants.clock): one rule for every tenant's time zone, which the
pages, the school's days and the clinic's hours all read."""

from datetime import UTC, date, datetime, time

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants import clock
from tenants.middleware import TenantMiddleware
from tenants.models import Tenant
from tests.factories import domain_of

pytestmark = pytest.mark.django_db

# Noon UTC on 3 March: already the 4th at UTC+14, still the 3rd at UTC-11.
NOON_UTC = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def test_times_and_days_are_the_tenants_own(school: Tenant, school_b: Tenant) -> None:
    # given one school far east and one far west of UTC
    school.timezone = "Pacific/Kiritimati"
    school_b.timezone = "Pacific/Pago_Pago"
    # when each reads the same moment on its own clock
    with tenant_context(school):
        east = clock.local(NOON_UTC)
        east_day_starts = clock.day_bounds(date(2026, 3, 4))[0]
    with tenant_context(school_b):
        west = clock.local(NOON_UTC)
        west_nine = clock.at(date(2026, 3, 3), time(9, 0))
    # then each sees its own wall clock and its own calendar day
    assert (east.date(), east.hour) == (date(2026, 3, 4), 2)
    assert (west.date(), west.hour) == (date(2026, 3, 3), 1)
    assert east_day_starts == datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    assert west_nine == datetime(2026, 3, 3, 20, 0, tzinfo=UTC)


def test_a_blank_or_unknown_zone_reads_as_utc(school: Tenant) -> None:
    for name in ("", "Mars/Olympus_Mons"):
        # given a tenant whose zone is not a usable name
        school.timezone = name
        # then its clock is UTC rather than an error
        assert clock.tenant_zone(school).key == "UTC"


def test_naive_form_input_is_tenant_wall_time(school: Tenant) -> None:
    # given a school in Kiritimati (UTC+14)
    school.timezone = "Pacific/Kiritimati"
    with tenant_context(school):
        # when a form sends a naive and an aware datetime
        naive = clock.parse_local("2026-03-04T02:00")
        aware = clock.parse_local("2026-03-04T02:00+00:00")
    # then the naive one is read on the tenant's clock and the aware one is kept
    assert naive == NOON_UTC
    assert aware == datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


def test_a_tenants_requests_run_in_its_zone(school: Tenant) -> None:
    # given a school whose registry row names a zone east of UTC
    Tenant.objects.filter(pk=school.pk).update(timezone="Asia/Tokyo")
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(str(timezone.get_current_timezone()))
        return HttpResponse()

    # when a request to its domain passes the tenant middleware
    TenantMiddleware(view)(RequestFactory(HTTP_HOST=domain_of(school)).get("/"))
    # then the view ran in the school's zone, and the zone is reset afterwards
    assert seen == ["Asia/Tokyo"]
    assert str(timezone.get_current_timezone()) == "UTC"
