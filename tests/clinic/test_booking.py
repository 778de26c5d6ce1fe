"""Requesting appointments: free slots, working hours, taken slots and chairs, and the pages'
answers (400 for bad input, 409 for a taken slot)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from clinic.errors import SlotTaken
from clinic.models import Appointment, AppointmentState, Chair
from clinic.selectors import free_slots
from clinic.services import appointments
from tenants.models import Tenant
from tests.clinic.factories import Clinic, hours_from_now, make_appointment, shown_time, slot
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def request(c: Clinic, **kw):
    args = {
        "patient": c.patient,
        "dentist": c.dentist,
        "appointment_type": c.checkup,
        "starts_at": slot(),
    }
    return appointments.appointment_request(**{**args, **kw})


def test_free_slots_leave_out_what_is_booked(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        day = slot().date()
        before = free_slots(dentist=c.dentist, appointment_type=c.checkup, day=day)
        assert before[0] == slot(hour=8) and before[-1] == slot(hour=17, minute=30)
        request(c, starts_at=slot(hour=10))
        after = free_slots(dentist=c.dentist, appointment_type=c.checkup, day=day)
        # a 30-minute check-up cannot start 09:45, 10:00 or 10:15 any more
        assert set(before) - set(after) == {
            slot(hour=9, minute=45),
            slot(hour=10),
            slot(hour=10, minute=15),
        }
        # the other dentist is unaffected (a second chair is free)
        assert free_slots(dentist=c.dentist2, appointment_type=c.checkup, day=day) == before


def test_free_slots_leave_out_times_when_every_chair_is_busy(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        # given the only active chair is taken at 11:00 by the other dentist
        make_appointment(c, starts_at=slot(hour=11), dentist=c.dentist2, chair=c.chairs[0])
        Chair.objects.filter(pk=c.chairs[1].pk).update(is_active=False)
        slots = free_slots(dentist=c.dentist, appointment_type=c.checkup, day=slot().date())
        assert slot(hour=11) not in slots


def test_a_request_takes_a_free_chair(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        first = request(c, dentist=c.dentist)
        second = request(c, dentist=c.dentist2, patient=c.patient2)
        assert {first.chair, second.chair} == set(c.chairs)


def test_a_taken_slot_is_refused_clearly(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        request(c)
        with pytest.raises(SlotTaken, match=r"Dr\. Able is already booked"):
            request(c, patient=c.patient2, starts_at=slot(minute=15))
        assert Appointment.objects.count() == 1


def test_no_chair_free_is_refused_clearly(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        Chair.objects.filter(pk=c.chairs[1].pk).update(is_active=False)
        make_appointment(c, dentist=c.dentist2, starts_at=slot())
        with pytest.raises(SlotTaken, match="Every chair is in use"):
            request(c)


@pytest.mark.parametrize(
    "starts_at",
    [lambda: slot(hour=7, minute=45), lambda: slot(hour=17, minute=45), lambda: slot(hour=3)],
)
def test_outside_working_hours_is_refused(c: Clinic, clinic: Tenant, starts_at) -> None:
    with tenant_context(clinic):
        with pytest.raises(ValidationError, match="does not work at"):
            request(c, starts_at=starts_at())
        assert Appointment.objects.count() == 0


def test_past_times_and_non_patients_are_refused(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        with pytest.raises(ValidationError, match="already passed"):
            request(c, starts_at=hours_from_now(-1))
        with pytest.raises(ValidationError, match="Only patients"):
            request(c, patient=c.receptionist)
        with pytest.raises(ValidationError, match="dentists"):
            request(c, dentist=c.receptionist)


def test_cancelled_appointments_free_their_slot(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        make_appointment(c, state=AppointmentState.CANCELLED)
        make_appointment(c, state=AppointmentState.NO_SHOW)
        assert request(c).state == AppointmentState.REQUESTED


# --- the booking page ----------------------------------------------------------------------


def test_booking_page_lists_free_slots_and_books(c: Clinic, clinic: Tenant) -> None:
    client = client_for(clinic, c.patient)
    day = slot().date().isoformat()
    page = client.get(f"/clinic/book/?dentist={c.dentist.pk}&type={c.checkup.pk}&date={day}")
    assert page.status_code == 200
    assert slot(hour=10).isoformat() in page.content.decode()
    response = client.post(
        "/clinic/book/",
        {"dentist": c.dentist.pk, "type": c.checkup.pk, "starts_at": slot(hour=10).isoformat()},
    )
    assert response.status_code == 302
    with tenant_context(clinic):
        a = Appointment.objects.get()
    assert response["Location"] == f"/clinic/appointments/{a.pk}/"
    assert a.patient == c.patient and a.state == AppointmentState.REQUESTED


def test_booking_a_taken_slot_answers_409_with_the_reason(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        make_appointment(c, starts_at=slot(hour=10), patient=c.patient2)
    response = client_for(clinic, c.patient).post(
        "/clinic/book/",
        {"dentist": c.dentist.pk, "type": c.checkup.pk, "starts_at": slot(hour=10).isoformat()},
    )
    assert response.status_code == 409
    assert "is already booked" in response.content.decode()


def test_booking_outside_hours_answers_400_with_the_reason(c: Clinic, clinic: Tenant) -> None:
    response = client_for(clinic, c.patient).post(
        "/clinic/book/",
        {"dentist": c.dentist.pk, "type": c.checkup.pk, "starts_at": (slot(hour=18)).isoformat()},
    )
    assert response.status_code == 400
    assert "does not work at" in response.content.decode()


def test_cancelling_after_the_cutoff_answers_400_with_the_reason(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=hours_from_now(3))
    response = client_for(clinic, c.patient).post(f"/clinic/appointments/{a.pk}/cancel/")
    assert response.status_code == 400
    assert "up to 24 hours before" in response.content.decode()


def test_confirming_twice_answers_409(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, state=AppointmentState.CONFIRMED)
    response = client_for(clinic, c.dentist).post(f"/clinic/appointments/{a.pk}/confirm/")
    assert response.status_code == 409
    assert "is confirmed; it cannot be confirmed" in response.content.decode()


def test_propose_page_flow_parses_clinic_local_time(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, state=AppointmentState.REQUESTED)
    new = slot(days=3, hour=15)
    response = client_for(clinic, c.receptionist).post(
        f"/clinic/appointments/{a.pk}/propose/",
        {"starts_at": new.strftime("%Y-%m-%dT%H:%M"), "next": "/clinic/requests/"},
    )
    assert response.status_code == 302 and response["Location"] == "/clinic/requests/"
    with tenant_context(clinic):
        a.refresh_from_db()
    # a proposal: the request keeps its time until the patient accepts
    assert a.proposed_starts_at == new and a.proposed_ends_at == new + timedelta(minutes=30)
    assert a.state == AppointmentState.PROPOSED


def test_working_hours_are_the_clinics_wall_clock(c: Clinic, clinic: Tenant) -> None:
    # given a clinic in New York (rolled back with the test)
    Tenant.objects.filter(pk=clinic.pk).update(timezone="America/New_York")
    clinic.timezone = "America/New_York"
    with tenant_context(clinic):
        eight = slot(hour=8)
        offset = eight.utcoffset()
        assert offset is not None and offset.total_seconds() < 0
        # 08:00 New York is inside the hours; 07:45 New York is not, whatever UTC says
        assert request(c, starts_at=eight).starts_at == eight
        with pytest.raises(ValidationError, match="does not work at"):
            request(c, patient=c.patient2, dentist=c.dentist2, starts_at=slot(hour=7, minute=45))
        slots = free_slots(dentist=c.dentist2, appointment_type=c.checkup, day=eight.date())
        assert slots[0] == eight
        eight_shown = shown_time(eight)  # 8:00 in the clinic's zone, as the page writes times
    page = client_for(clinic, c.dentist).get(f"/clinic/schedule/?date={eight.date()}")
    assert eight_shown in page.content.decode()
