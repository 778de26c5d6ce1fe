"""What arrives live on a clinic page reads as a reload would draw it, in the viewer's language
and formats: a request on the front desk's open schedule (a schedule's topic event is shared by
every watcher, so the page writes its labels and times itself), a message and a move on an open
appointment."""

from datetime import datetime

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import User
from clinic.models import Appointment
from clinic.services.appointments import (
    appointment_confirm,
    appointment_request,
    appointment_reschedule,
)
from clinic.services.messages import appointment_message_post
from tenants.models import Tenant
from testing.servers import ROOT
from tests.clinic.factories import USER_HAS_LANGUAGE, Clinic, make_clinic, slot
from tests.e2e.browser import Browsing
from tests.e2e.data import off_the_browser_thread

pytestmark = [
    pytest.mark.usefixtures("live_db"),
    pytest.mark.slow,
    # The page writes times with window.aviso.format (static/aviso/format.js, the i18n core).
    pytest.mark.skipif(
        not (ROOT / "static" / "aviso" / "format.js").exists(),
        reason="static/aviso/format.js (window.aviso.format) comes with the i18n core branch",
    ),
]


@off_the_browser_thread
def clinic_reading(tenant: Tenant, language: str) -> Clinic:
    """A clinic whose receptionist reads `language` (User.language, where it exists)."""
    with tenant_context(tenant):
        c = make_clinic(tenant)
        if USER_HAS_LANGUAGE:
            User.objects.filter(pk=c.receptionist.pk).update(**{"language": language})
        return c


@off_the_browser_thread
def request_at(c: Clinic, starts_at: datetime) -> Appointment:
    with tenant_context(c.tenant):
        return appointment_request(
            patient=c.patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=starts_at
        )


def test_a_live_request_reads_on_the_schedule_as_a_reload_would(
    browsing: Browsing, clinic: Tenant
) -> None:
    # given the front desk (reading Spanish) looking at the dentist's schedule for a day
    c = clinic_reading(clinic, "es-mx")
    day = slot(hour=10)
    path = f"/clinic/schedule/?dentist={c.dentist.pk}&date={day.date()}"
    desk = browsing.signed_in("desk", clinic, c.receptionist, path)
    section = desk.page.locator(f'section[data-day="{day.date()}"] ul')
    expect(section.locator("li")).to_have_count(0)
    desk.mark_page()

    # when the patient requests 10:00 that day
    a = request_at(c, day)

    # then the row and the pending request appear at once
    row = section.locator(f'li[data-appointment="{a.pk}"]')
    pending = desk.page.locator(f'#pending li[data-appointment="{a.pk}"]')
    expect(row).to_have_count(1)
    expect(pending).to_have_count(1)
    # confirm, decline (each behind its confirmation step), propose
    expect(pending.locator("form[data-action]")).to_have_count(3)
    desk.expect_not_reloaded()
    browsing.shot(desk, "live")
    live_row, live_pending = row.inner_text(), pending.locator("a").inner_text()
    if USER_HAS_LANGUAGE:
        assert "Solicitada" in live_row
    # and they read exactly as the same page drawn afresh by the server
    fresh = desk.context.new_page()
    fresh.goto(desk.page.url)
    assert fresh.locator(f'#schedule li[data-appointment="{a.pk}"]').inner_text() == live_row
    assert fresh.locator(f'#pending li[data-appointment="{a.pk}"] a').inner_text() == live_pending
    fresh.close()


@off_the_browser_thread
def clinic_with_appointment(tenant: Tenant, language: str) -> tuple[Clinic, Appointment]:
    """A clinic whose patient and dentist read `language`, with a confirmed appointment."""
    with tenant_context(tenant):
        c = make_clinic(tenant)
        if USER_HAS_LANGUAGE:
            User.objects.filter(pk__in=[c.patient.pk, c.dentist.pk]).update(
                **{"language": language}
            )
        a = appointment_request(
            patient=c.patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot()
        )
        return c, appointment_confirm(appointment=a, by=c.dentist)


@off_the_browser_thread
def message_from_patient(c: Clinic, a: Appointment, text: str) -> None:
    with tenant_context(c.tenant):
        appointment_message_post(appointment=a, author=c.patient, body=text)


@off_the_browser_thread
def move(c: Clinic, a: Appointment, starts_at: datetime) -> Appointment:
    with tenant_context(c.tenant):
        return appointment_reschedule(appointment=a, by=c.receptionist, starts_at=starts_at)


def test_a_live_message_and_a_move_read_on_the_appointment_as_a_reload_would(
    browsing: Browsing, clinic: Tenant
) -> None:
    # given the dentist and the patient (both reading Spanish) on the same appointment
    c, a = clinic_with_appointment(clinic, "es-mx")
    path = f"/clinic/appointments/{a.pk}/"
    dentist = browsing.signed_in("dentist", clinic, c.dentist, path)
    patient = browsing.signed_in("patient", clinic, c.patient, path)

    # when the patient writes, the dentist's thread shows the message with its time
    message_from_patient(c, a, "¿Puedo llegar 10 minutos tarde?")
    message = dentist.page.locator("#thread li[data-message]")
    expect(message).to_have_count(1)
    live_time = message.locator("time").inner_text()
    # and when the clinic moves the appointment, the patient's page says where to
    moved = move(c, a, slot(days=3, hour=9))
    line = patient.page.locator("#appointment-moved")
    expect(line).to_be_visible()
    expect(line.locator("a")).to_have_attribute("href", f"/clinic/appointments/{moved.pk}/")
    live_line = line.inner_text()
    live_state = patient.page.locator("#appointment-state").inner_text()
    if USER_HAS_LANGUAGE:
        assert live_line.startswith("Reprogramada para el ") and live_state == "Reprogramada"
    browsing.shot(dentist, "message")
    browsing.shot(patient, "moved")

    # then both read exactly as the same pages drawn afresh by the server
    for visitor in (dentist, patient):
        fresh = visitor.context.new_page()
        fresh.goto(visitor.page.url)
        if visitor is dentist:
            assert fresh.locator("#thread li[data-message] time").inner_text() == live_time
        else:
            assert fresh.locator("#appointment-moved").inner_text() == live_line
            assert fresh.locator("#appointment-state").inner_text() == live_state
        fresh.close()
