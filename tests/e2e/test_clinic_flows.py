"""Issue #14's corrected flows in the browser: a proposal reaches the patient's open page
live and only their acceptance moves and confirms the appointment; a new request appears on
the front desk's open Requests page and leaves it when withdrawn; the clinic's buttons ask
first. Screenshots at desktop and phone size, in English and Spanish."""

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import User
from clinic.models import Appointment, AppointmentState
from clinic.services.appointments import (
    appointment_propose,
    appointment_request,
    appointment_withdraw,
)
from tenants.models import Tenant
from tests.clinic.factories import USER_HAS_LANGUAGE, Clinic, make_clinic, slot
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import off_the_browser_thread

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]
S = AppointmentState
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1100, "height": 760}


@off_the_browser_thread
def clinic_reading(tenant: Tenant, language: str) -> Clinic:
    with tenant_context(tenant):
        c = make_clinic(tenant)
        if USER_HAS_LANGUAGE:
            User.objects.update(**{"language": language})
        return c


@off_the_browser_thread
def request(c: Clinic, hour: int = 10) -> Appointment:
    with tenant_context(c.tenant):
        return appointment_request(
            patient=c.patient,
            dentist=c.dentist,
            appointment_type=c.checkup,
            starts_at=slot(hour=hour),
        )


@off_the_browser_thread
def propose(c: Clinic, a: Appointment, hour: int = 15) -> None:
    with tenant_context(c.tenant):
        appointment_propose(appointment=a, by=c.receptionist, starts_at=slot(hour=hour))


@off_the_browser_thread
def withdraw(c: Clinic, a: Appointment) -> None:
    with tenant_context(c.tenant):
        appointment_withdraw(appointment=a, by=c.patient)


@off_the_browser_thread
def state_of(c: Clinic, a: Appointment) -> tuple[str, object]:
    with tenant_context(c.tenant):
        a.refresh_from_db()
        return a.state, a.starts_at


def keep(browsing: Browsing, visitor: Visitor, step: str) -> None:
    browsing.shot(visitor, step)  # test-artifacts/e2e/<test>/


def open_as(browsing: Browsing, name: str, c: Clinic, user: User, path: str, size: dict) -> Visitor:
    visitor = browsing.visitor(name, viewport=size)  # type: ignore[arg-type]
    browsing.add_session(visitor, c.tenant, user)
    browsing.open(visitor, c.tenant, path)
    visitor.wait_until_live()
    return visitor


def test_the_patient_answers_a_proposal_live(browsing: Browsing, clinic: Tenant) -> None:
    c = clinic_reading(clinic, "en")
    a = request(c)
    patient = open_as(browsing, "patient", c, c.patient, f"/clinic/appointments/{a.pk}/", DESKTOP)
    expect(patient.page.locator("#appointment-state")).to_have_text("Requested")
    patient.mark_page()
    # when the front desk proposes 15:00
    propose(c, a)
    # then the patient's open page shows the proposal and its answers, without a reload
    expect(patient.page.locator("#appointment-state")).to_have_text("New time proposed")
    expect(patient.page.locator("#appointment-proposal")).to_be_visible()
    accept = patient.page.get_by_role("button", name="Accept new time")
    expect(accept).to_be_visible()
    expect(patient.page.get_by_role("button", name="Decline new time")).to_be_visible()
    patient.expect_not_reloaded()
    # and nothing moved yet
    assert state_of(c, a) == (S.PROPOSED, slot(hour=10))
    # when the patient accepts
    accept.click()
    expect(patient.page.locator("#appointment-state")).to_have_text("Confirmed")
    assert state_of(c, a) == (S.CONFIRMED, slot(hour=15))


def test_the_requests_page_follows_requests_live(browsing: Browsing, clinic: Tenant) -> None:
    c = clinic_reading(clinic, "en")
    desk = open_as(browsing, "desk", c, c.receptionist, "/clinic/requests/", DESKTOP)
    rows = desk.page.locator("#requests tr[data-appointment]")
    expect(rows).to_have_count(0)
    desk.mark_page()
    # when a patient requests a time
    a = request(c)
    # then it appears with the clinic's three answers
    row = desk.page.locator(f'#requests tr[data-appointment="{a.pk}"]')
    expect(row.locator("form[data-action]")).to_have_count(3)
    # and confirming asks first
    row.locator("details[data-action=confirm] summary").click()
    expect(row.get_by_text("Confirm this request?")).to_be_visible()
    # when the patient withdraws it, it leaves the page
    withdraw(c, a)
    expect(rows).to_have_count(0)
    expect(desk.page.get_by_text("No pending requests.")).to_be_visible()
    desk.expect_not_reloaded()


@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_the_proposal_and_the_decline_step_at_both_sizes_and_languages(
    browsing: Browsing, clinic: Tenant, language: str
) -> None:
    c = clinic_reading(clinic, language)
    proposed = request(c, hour=9)
    propose(c, proposed)
    pending = request(c, hour=11)
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        patient = open_as(
            browsing,
            f"patient-{language}-{size_name}",
            c,
            c.patient,
            f"/clinic/appointments/{proposed.pk}/",
            size,
        )
        expect(patient.page.locator("#appointment-proposal")).to_be_visible()
        keep(browsing, patient, "proposal")
        patient.page.goto(patient.page.url.replace(f"appointments/{proposed.pk}/", "appointments/"))
        keep(browsing, patient, "my-appointments")
        desk = open_as(
            browsing, f"desk-{language}-{size_name}", c, c.receptionist, "/clinic/requests/", size
        )
        row = desk.page.locator(f'#requests tr[data-appointment="{pending.pk}"]')
        row.locator("details[data-action=decline] summary").click()
        expect(row.locator("form[data-action=decline] input[name=reason]")).to_be_visible()
        keep(browsing, desk, "requests-decline-step")
