"""A new clinic sets itself up and runs its first booking in the browser (issue #14): onboarded
the real way and empty, its administrator follows the checklist (a dentist's hours, a chair, a
kind of appointment), a patient books a free time and the front desk confirms it.

The dentist, the front desk and the patient are added with people.services.person_add in the
test's setup: the people pages are another part of #12/#14 and not in this branch."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import ViewportSize, expect

from accounts.models import User
from accounts.roles import Role
from clinic.clock import local_today
from clinic.models import Appointment, AppointmentState
from people.services import person_add
from tenants.db import use_public_schema
from tenants.models import Domain, Tenant
from testing.tenants import onboard
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import off_the_browser_thread

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

SLUG, DOMAIN = "clinic_fresh", "fresh-dental.test"
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class FreshClinic:
    tenant: Tenant
    admin: User
    desk: User
    patient: User


@off_the_browser_thread
def onboard_fresh() -> FreshClinic:
    use_public_schema()
    tenant = onboard(slug=SLUG, kind="clinic", domain=DOMAIN, name="Fresh Dental")
    with tenant_context(tenant):
        admin = User.objects.get(role=Role.ADMINISTRATOR)

        people = FreshClinic(
            tenant=tenant,
            admin=admin,
            desk=add(admin, Role.RECEPTIONIST, "Front Desk", "es-mx"),
            patient=add(admin, Role.PATIENT, "Pat Fresh"),
        )
    use_public_schema()
    return people


def add(admin: User, role: Role, name: str, language: str = "") -> User:
    """A person as the people pages add one (without the invitation e-mail)."""
    return person_add(
        email=f"{role.value}@{DOMAIN}", role=role, full_name=name, invited_by=admin,
        language=language, invite=False,
    )  # fmt: skip


@off_the_browser_thread
def add_dentist(fresh: "FreshClinic") -> User:
    with tenant_context(fresh.tenant):
        dentist = add(fresh.admin, Role.DENTIST, "Dr. Rosa Vidal")
    use_public_schema()
    return dentist


@off_the_browser_thread
def drop_fresh() -> None:
    use_public_schema()
    for tenant in Tenant.objects.filter(schema_name=SLUG):
        tenant.delete(force_drop=True)
    Domain.objects.filter(domain=DOMAIN).delete()


@pytest.fixture
def fresh() -> Iterator[FreshClinic]:
    """Requested before `browsing`, so the browsers have closed before the schema is dropped;
    the pause lets the server finish with the sockets they closed."""
    drop_fresh()
    try:
        yield onboard_fresh()
    finally:
        time.sleep(1)
        drop_fresh()


@off_the_browser_thread
def appointments_of(tenant: Tenant) -> list[tuple[str, int]]:
    with tenant_context(tenant):
        rows = [(a.state, a.dentist_id) for a in Appointment.objects.all()]
    use_public_schema()
    return rows


def keep(browsing: Browsing, visitor: Visitor, step: str) -> None:
    """A numbered screenshot in the test's artifacts (test-artifacts/e2e/<test>/)."""
    browsing.shot(visitor, step)


def booking_day() -> date:
    return local_today() + timedelta(days=2)


def test_a_new_clinic_sets_itself_up_and_confirms_its_first_booking(
    fresh: FreshClinic, browsing: Browsing
) -> None:
    tenant, day = fresh.tenant, booking_day()

    # given the freshly onboarded clinic: its administrator sees the checklist, and the
    # schedule says to add a dentist instead of "No such dentist"
    admin = browsing.signed_in("admin", tenant, fresh.admin, "/clinic/schedule/")
    page = admin.page
    expect(page.locator("h1")).to_have_text("Schedule")
    expect(page.get_by_role("link", name="Add a dentist")).to_be_visible()
    keep(browsing, admin, "empty-schedule")
    browsing.open(admin, tenant, "/clinic/")
    expect(page.locator('.setup-checklist li[data-step="dentists"]')).to_have_class("todo")
    dentist = add_dentist(fresh)  # as the people page would (not in this branch)
    browsing.open(admin, tenant, "/clinic/")
    checklist = page.locator(".setup-checklist")
    expect(checklist).to_contain_text("Set up your clinic")
    expect(checklist.locator("li.todo")).to_have_count(5)  # the dentist exists already
    keep(browsing, admin, "checklist")

    # when the administrator gives the dentist hours on the booking day, with a break
    checklist.get_by_role("link", name="Working hours").click()
    page.get_by_role("link", name="Set hours").click()
    expect(page.locator("h1")).to_contain_text("Dr. Rosa Vidal")
    for starts, ends in (("09:00", "11:00"), ("12:00", "13:00")):
        page.locator("select[name=weekday]").select_option(str(day.weekday()))
        page.locator("input[name=starts]").fill(starts)
        page.locator("input[name=ends]").fill(ends)
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("Hours added.")
    # an overlapping range is refused on the page
    page.locator("select[name=weekday]").select_option(str(day.weekday()))
    page.locator("input[name=starts]").fill("10:30")
    page.locator("input[name=ends]").fill("12:30")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".invalid .errorlist")).to_contain_text("overlaps")
    expect(page.locator(f'tr[data-weekday="{day.weekday()}"] .range')).to_have_count(2)
    keep(browsing, admin, "hours")

    # and adds a chair and a kind of appointment offered by that dentist
    page.locator("nav.setup-nav").get_by_role("link", name="Chairs").click()
    expect(page.locator("table.chairs")).to_contain_text("No chairs yet")
    page.locator("input[name=name]").fill("Chair 1")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("table.chairs")).to_contain_text("Chair 1")
    page.locator("nav.setup-nav").get_by_role("link", name="Kinds of appointment").click()
    page.locator("input[name=name]").fill("Check-up")
    page.locator("input[name=duration_minutes]").fill("30")
    page.locator("input[name=colour]").fill("#12a150")
    page.get_by_label("Dr. Rosa Vidal").check()
    page.get_by_role("button", name="Add", exact=True).click()
    row = page.locator("table.types tbody tr").first
    expect(row).to_contain_text("Check-up")
    expect(row).to_contain_text("Dr. Rosa Vidal")
    expect(row.locator("svg.swatch rect")).to_have_attribute("fill", "#12a150")
    keep(browsing, admin, "types")

    # then a patient books a free time that day (only inside the dentist's ranges)
    patient = browsing.signed_in("patient", tenant, fresh.patient, f"/clinic/book/?date={day}")
    times = patient.page.locator("#slots .slots button")
    # a 30-minute check-up every 15 minutes: 09:00..10:30 (7), then 12:00..12:30 (3)
    expect(times).to_have_count(10)
    keep(browsing, patient, "book")
    times.first.click()
    expect(patient.page.locator("#appointment-state")).to_have_text("Requested")
    assert appointments_of(tenant) == [(AppointmentState.REQUESTED, dentist.pk)]

    # and the front desk (reading Spanish) confirms the request
    desk = browsing.signed_in("desk", tenant, fresh.desk, "/clinic/requests/")
    # (confirming asks first: the button opens the step whose button sends)
    desk.page.locator("details[data-action=confirm] summary").click()
    desk.page.locator("form[data-action=confirm] button").click()
    expect(desk.page.locator(".messages")).to_contain_text("Confirmada")
    keep(browsing, desk, "confirmed-es")
    assert appointments_of(tenant) == [(AppointmentState.CONFIRMED, dentist.pk)]
    expect(patient.page.locator("#appointment-state")).to_have_text("Confirmed")

    # and the checklist is gone from the administrator's overview once every step is done
    page.locator("nav.setup-nav").get_by_role("link", name="Clinic rules").click()
    page.locator("input[name=booking_horizon_days]").fill("60")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Settings saved.")
    browsing.open(admin, tenant, "/clinic/")
    expect(page.locator(".setup-checklist")).to_have_count(0)
    admin.wait_until_live()  # the socket has started before the clinic is dropped


def test_the_setup_pages_on_a_phone_in_both_languages(
    fresh: FreshClinic, browsing: Browsing
) -> None:
    """Screenshots of the setup pages at phone size, in English (administrator) and Spanish
    (the front desk reads Spanish); nothing is wider than the screen."""
    admin_pages = ["/clinic/setup/", "/clinic/setup/types/", "/clinic/setup/settings/"]
    desk_pages = ["/clinic/setup/", "/clinic/setup/dentists/", "/clinic/setup/days-off/"]
    for name, user, paths in (
        ("admin-en", fresh.admin, admin_pages),
        ("desk-es", fresh.desk, desk_pages),
    ):
        visitor = browsing.visitor(f"phone-{name}", viewport=PHONE)
        browsing.add_session(visitor, fresh.tenant, user)
        for path in paths:
            browsing.open(visitor, fresh.tenant, path)
            visitor.wait_until_live()
            wide = visitor.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"{path} is {wide}px wide on a phone"
            keep(browsing, visitor, path.strip("/").replace("/", "-"))
        if name == "desk-es":
            expect(visitor.page.locator("h1")).to_have_text("Días libres")
