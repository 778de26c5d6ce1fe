"""A new clinic sets itself up and runs its first booking and its first conversation in the
browser (issue #14): onboarded the real way and empty, its administrator adds the dentist, the
front desk and a patient on the people page, follows the checklist (the dentist's hours, a
chair, a kind of appointment); the invited patient chooses a password and books a free time;
the front desk confirms it; the patient writes, and the front desk sees the thread arrive in
its messages inbox live and answers from it.

Only the phone screenshots' people are added with people.services.person_add (that test is
about how the pages look)."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import User
from accounts.roles import Role
from accounts.services import set_password_url
from clinic.clock import local_today
from clinic.models import Appointment, AppointmentState
from people.services import person_add
from tenants.db import use_public_schema
from tenants.models import Domain, Tenant
from testing.tenants import onboard
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import off_the_browser_thread
from tests.factories import PASSWORD

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

SLUG, DOMAIN = "clinic_fresh", "fresh-dental.test"
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class FreshClinic:
    tenant: Tenant
    admin: User


@off_the_browser_thread
def onboard_fresh() -> FreshClinic:
    use_public_schema()
    tenant = onboard(slug=SLUG, kind="clinic", domain=DOMAIN, name="Fresh Dental")
    with tenant_context(tenant):
        admin = User.objects.get(role=Role.ADMINISTRATOR)
    use_public_schema()
    return FreshClinic(tenant=tenant, admin=admin)


def add(admin: User, role: Role, name: str, language: str = "") -> User:
    """A person as the people pages add one (without the invitation e-mail)."""
    return person_add(
        email=f"{role.value}@{DOMAIN}", role=role, full_name=name, invited_by=admin,
        language=language, invite=False,
    )  # fmt: skip


@off_the_browser_thread
def add_desk(fresh: "FreshClinic") -> User:
    """The front desk of the phone screenshots, reading Spanish."""
    with tenant_context(fresh.tenant):
        desk = add(fresh.admin, Role.RECEPTIONIST, "Front Desk", "es-mx")
    use_public_schema()
    return desk


@off_the_browser_thread
def person(tenant: Tenant, email: str) -> User:
    with tenant_context(tenant):
        found = User.objects.get(email=email)
    use_public_schema()
    return found


@off_the_browser_thread
def invitation_path(tenant: Tenant, user: User) -> str:
    """The set-password link of the invitation e-mail (the e-mail itself is read by
    tests/people/test_pages.py: the server under test keeps its mail in memory)."""
    with tenant_context(tenant):
        path = set_password_url(base_url="", user=User.objects.get(pk=user.pk))
    use_public_schema()
    return path


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


def add_person_in_browser(page: Page, name: str, email: str, role: str) -> None:
    """The administrator's people page: "Add a person" with a role (an invitation is sent)."""
    page.get_by_label("Name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Add and invite").click()
    expect(page.locator("h1")).to_contain_text(name)


def test_a_new_clinic_sets_itself_up_books_confirms_and_answers_a_patient(
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

    # when she adds the dentist from the schedule's hint, then the front desk and a patient
    browsing.open(admin, tenant, "/clinic/schedule/")
    page.get_by_role("link", name="Add a dentist").click()
    page.locator("table.dentists").get_by_role("link", name="Add a dentist").click()
    add_person_in_browser(page, "Dr. Rosa Vidal", f"dentist@{DOMAIN}", "dentist")
    for name, email, role in (
        ("Front Desk", f"desk@{DOMAIN}", "receptionist"),
        ("Pat Fresh", f"pat@{DOMAIN}", "patient"),
    ):
        browsing.open(admin, tenant, "/people/add/")
        add_person_in_browser(page, name, email, role)
    dentist = person(tenant, f"dentist@{DOMAIN}")
    browsing.open(admin, tenant, "/clinic/")
    checklist = page.locator(".setup-checklist")
    expect(checklist).to_contain_text("Set up your clinic")
    expect(checklist.locator("li.todo")).to_have_count(5)  # the dentist exists now
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

    # then the invited patient opens the invitation's link, chooses a password (which signs
    # her in) and books a free time that day (only inside the dentist's ranges)
    pat = person(tenant, f"pat@{DOMAIN}")
    patient = browsing.visitor("patient")
    browsing.open(patient, tenant, invitation_path(tenant, pat))
    patient.page.locator("input[name=password1]").fill(PASSWORD)
    patient.page.locator("input[name=password2]").fill(PASSWORD)
    patient.page.get_by_role("button", name="Change Password").click()
    patient.page.wait_for_load_state()
    browsing.open(patient, tenant, f"/clinic/book/?date={day}")
    expect(patient.page.locator(".who .user")).to_contain_text("Pat Fresh")
    times = patient.page.locator("#slots .slots button")
    # a 30-minute check-up every 15 minutes: 09:00..10:30 (7), then 12:00..12:30 (3)
    expect(times).to_have_count(10)
    keep(browsing, patient, "book")
    times.first.click()
    expect(patient.page.locator("#appointment-state")).to_have_text("Requested")
    assert appointments_of(tenant) == [(AppointmentState.REQUESTED, dentist.pk)]
    patient.wait_until_live()

    # and the front desk, who reads Spanish (chosen in the page's footer), confirms it
    desk = browsing.signed_in("desk", tenant, person(tenant, f"desk@{DOMAIN}"), "/clinic/")
    desk.page.locator("#aviso-language").select_option("es-mx")
    desk.page.locator("footer.language button").click()
    expect(desk.page.locator("h1")).to_contain_text("Te damos la bienvenida")
    browsing.open(desk, tenant, "/clinic/requests/")
    # (confirming asks first: the button opens the step whose button sends)
    desk.page.locator("details[data-action=confirm] summary").click()
    desk.page.locator("form[data-action=confirm] button").click()
    expect(desk.page.locator(".messages")).to_contain_text("Confirmada")
    keep(browsing, desk, "confirmed-es")
    assert appointments_of(tenant) == [(AppointmentState.CONFIRMED, dentist.pk)]
    expect(patient.page.locator("#appointment-state")).to_have_text("Confirmed")

    # when the front desk has its messages inbox open (empty yet) and the patient writes
    browsing.open(desk, tenant, "/clinic/messages/")
    expect(desk.page.locator("h1")).to_have_text("Mensajes")
    expect(desk.page.locator("#threads li.empty")).to_be_visible()
    desk.wait_until_live()
    desk.mark_page()
    patient.page.locator("#message-body").fill("¿Puedo llegar 10 minutos tarde?")
    patient.page.get_by_role("button", name="Send").click()
    expect(patient.page.locator("#thread")).to_contain_text("¿Puedo llegar 10 minutos tarde?")

    # then the thread appears at the top of the inbox, unread, without a reload
    thread = desk.page.locator("#threads li[data-appointment]").first
    expect(thread).to_contain_text("Pat Fresh")
    expect(thread).to_contain_text("¿Puedo llegar 10 minutos tarde?")
    expect(thread.locator("[data-field=unread]")).to_have_text("1 sin leer")
    expect(desk.page.locator("#clinic-inbox-unread")).to_have_text("1")
    expect(desk.page.locator("#threads li.empty")).to_be_hidden()
    desk.expect_not_reloaded()
    keep(browsing, desk, "inbox-live-es")

    # when she opens the thread and answers
    thread.locator("a").click()
    expect(desk.page.locator("#thread")).to_contain_text("¿Puedo llegar 10 minutos tarde?")
    desk.page.locator("#message-body").fill("Claro, te esperamos.")
    desk.page.locator("#thread + form button[type=submit]").click()
    expect(desk.page.locator("#thread")).to_contain_text("Claro, te esperamos.")
    keep(browsing, desk, "answered-es")

    # then the patient reads the answer on her open page, and the desk's inbox has nothing
    # unread left, while the dentist's still counts both messages
    expect(patient.page.locator("#thread")).to_contain_text("Claro, te esperamos.")
    keep(browsing, patient, "answer-arrived")
    # and a message that arrives while the desk has the thread open counts as read for her
    # (the page says so as it shows it)
    with desk.page.expect_response(lambda r: r.url.endswith("/read/") and r.ok):
        patient.page.locator("#message-body").fill("¡Gracias!")
        patient.page.get_by_role("button", name="Send").click()
    expect(desk.page.locator("#thread")).to_contain_text("¡Gracias!")
    desk.page.locator("nav").get_by_role("link", name="Mensajes").click()
    expect(desk.page.locator("#threads li[data-appointment]")).to_have_count(1)
    expect(desk.page.locator("#threads li.unread")).to_have_count(0)
    expect(desk.page.locator("#clinic-inbox-unread")).to_be_hidden()
    doctor = browsing.signed_in("dentist", tenant, dentist, "/clinic/messages/")
    expect(doctor.page.locator("#threads [data-field=unread]")).to_have_text("3 unread")
    keep(browsing, doctor, "dentist-inbox")

    # and the checklist is gone from the administrator's overview once every step is done
    page.locator("nav.setup-nav").get_by_role("link", name="Clinic rules").click()
    page.locator("input[name=booking_horizon_days]").fill("60")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Settings saved.")
    browsing.open(admin, tenant, "/clinic/")
    expect(page.locator(".setup-checklist")).to_have_count(0)
    admin.wait_until_live()  # the socket has started before the clinic is dropped

    # and the inbox as it looks on a phone, in English (administrator) and Spanish (desk)
    for name, who in (("admin-en", fresh.admin), ("desk-es", person(tenant, f"desk@{DOMAIN}"))):
        for size, viewport in (("desktop", None), ("phone", PHONE)):
            visitor = browsing.visitor(f"inbox-{size}-{name}", viewport=viewport)
            browsing.add_session(visitor, tenant, who)
            browsing.open(visitor, tenant, "/clinic/messages/")
            visitor.wait_until_live()
            expect(visitor.page.locator("#threads li[data-appointment]")).to_have_count(1)
            wide = visitor.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= (viewport or {"width": 1100})["width"], f"inbox is {wide}px wide"
            keep(browsing, visitor, "inbox")


def test_the_setup_pages_on_a_phone_in_both_languages(
    fresh: FreshClinic, browsing: Browsing
) -> None:
    """Screenshots of the setup pages at phone size, in English (administrator) and Spanish
    (the front desk reads Spanish); nothing is wider than the screen."""
    admin_pages = ["/clinic/setup/", "/clinic/setup/types/", "/clinic/setup/settings/"]
    desk_pages = ["/clinic/setup/", "/clinic/setup/dentists/", "/clinic/setup/days-off/"]
    desk = add_desk(fresh)
    for name, user, paths in (
        ("admin-en", fresh.admin, admin_pages),
        ("desk-es", desk, desk_pages),
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
