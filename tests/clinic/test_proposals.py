"""'Propose another time' is a proposal: the request keeps its time until the patient
accepts; acceptance moves and confirms it if the time is still free, declining leaves the
request open at its own time."""

import pytest
from django_tenants.utils import tenant_context

from clinic.models import Appointment, AppointmentState
from clinic.services import appointments
from realtime.models import Notification
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment, slot
from tests.factories import client_for

pytestmark = pytest.mark.django_db
S = AppointmentState


def _propose(c: Clinic, clinic: Tenant) -> Appointment:
    with tenant_context(clinic):
        request = make_appointment(c, state=S.REQUESTED, starts_at=slot(hour=10))
    # given the receptionist proposes 15:00 on the page
    response = client_for(clinic, c.receptionist).post(
        f"/clinic/appointments/{request.pk}/propose/",
        {"starts_at": slot(hour=15).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    with tenant_context(clinic):
        request.refresh_from_db()
    return request


def test_a_proposal_moves_nothing_until_the_patient_answers(c: Clinic, clinic: Tenant) -> None:
    a = _propose(c, clinic)
    # then the appointment still holds its requested time and is not confirmed
    assert a.state == S.PROPOSED and a.starts_at == slot(hour=10)
    # and the patient's pages show the proposal with its two answers
    patient = client_for(clinic, c.patient)
    page = patient.get(f"/clinic/appointments/{a.pk}/").content.decode()
    assert "New time proposed" in page
    assert f"/clinic/appointments/{a.pk}/accept/" in page
    assert f"/clinic/appointments/{a.pk}/reject/" in page
    mine = patient.get("/clinic/appointments/").content.decode()
    assert "New time proposed" in mine and f"/clinic/appointments/{a.pk}/accept/" in mine
    # and the clinic is offered nothing while the patient decides
    staff = client_for(clinic, c.dentist).get(f"/clinic/appointments/{a.pk}/").content.decode()
    assert f"/clinic/appointments/{a.pk}/confirm/" not in staff


def test_accepting_moves_and_confirms_it(c: Clinic, clinic: Tenant) -> None:
    a = _propose(c, clinic)
    # when the patient accepts
    response = client_for(clinic, c.patient).post(f"/clinic/appointments/{a.pk}/accept/")
    assert response.status_code == 302
    with tenant_context(clinic):
        a.refresh_from_db()
        # then it is confirmed at the proposed time, and the clinic is told
        assert a.state == S.CONFIRMED and a.starts_at == slot(hour=15)
        told = set(
            Notification.objects.filter(type="appointment.proposal_accepted").values_list(
                "recipient_id", flat=True
            )
        )
        assert told == {c.dentist.pk, c.receptionist.pk}


def test_accepting_a_time_taken_meanwhile_is_a_clear_conflict(c: Clinic, clinic: Tenant) -> None:
    a = _propose(c, clinic)
    with tenant_context(clinic):
        # given someone else booked the dentist at 15:00 in the meantime
        make_appointment(c, starts_at=slot(hour=15), patient=c.patient2, chair=c.chairs[1])
    # when the patient accepts
    response = client_for(clinic, c.patient).post(f"/clinic/appointments/{a.pk}/accept/")
    # then a 409 says so, and the proposal stands
    assert response.status_code == 409
    assert "has just been taken" in response.content.decode()
    with tenant_context(clinic):
        a.refresh_from_db()
        assert a.state == S.PROPOSED and a.starts_at == slot(hour=10)
        assert not Notification.objects.filter(type="appointment.proposal_accepted").exists()


def test_declining_keeps_the_request_at_its_own_time(c: Clinic, clinic: Tenant) -> None:
    a = _propose(c, clinic)
    response = client_for(clinic, c.patient).post(f"/clinic/appointments/{a.pk}/reject/")
    assert response.status_code == 302
    with tenant_context(clinic):
        a.refresh_from_db()
        assert a.state == S.REQUESTED and a.starts_at == slot(hour=10)
        assert Notification.objects.filter(type="appointment.proposal_declined").count() == 2
    # and the clinic may answer again
    page = client_for(clinic, c.dentist).get("/clinic/requests/").content.decode()
    assert f"/clinic/appointments/{a.pk}/confirm/" in page


def test_only_the_patient_answers_a_proposal(c: Clinic, clinic: Tenant) -> None:
    a = _propose(c, clinic)
    for url in (f"/clinic/appointments/{a.pk}/accept/", f"/clinic/appointments/{a.pk}/reject/"):
        # staff are refused by role; another patient does not see the appointment
        assert client_for(clinic, c.receptionist).post(url).status_code == 403
        assert client_for(clinic, c.patient2).post(url).status_code == 404
    # and the clinic cannot confirm over the patient's head
    response = client_for(clinic, c.dentist).post(f"/clinic/appointments/{a.pk}/confirm/")
    assert response.status_code == 409
    with tenant_context(clinic):
        a.refresh_from_db()
        assert a.state == S.PROPOSED


def test_a_confirmed_appointment_is_still_moved_at_once(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=slot(hour=10))
        moved = appointments.appointment_reschedule(
            appointment=a, by=c.dentist, starts_at=slot(hour=15)
        )
        assert moved.state == S.CONFIRMED and moved.starts_at == slot(hour=15)
