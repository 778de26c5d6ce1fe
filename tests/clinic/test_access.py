"""Who sees what: patients only their own appointments and threads, dentists only theirs,
the front desk the whole clinic, and nobody anything of another clinic."""

import pytest
from django_tenants.utils import tenant_context

from clinic.models import Appointment, AppointmentMessage, AppointmentState
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment, slot
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def test_my_appointments_lists_only_mine(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        mine = make_appointment(c, starts_at=slot(hour=9))
        theirs = make_appointment(c, starts_at=slot(hour=11), patient=c.patient2)
    page = client_for(clinic, c.patient).get("/clinic/appointments/").content.decode()
    assert f'data-appointment="{mine.pk}"' in page
    assert f'data-appointment="{theirs.pk}"' not in page


def test_another_patients_appointment_and_thread_are_not_found(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        theirs = make_appointment(c, patient=c.patient2)
        AppointmentMessage.objects.create(appointment=theirs, author=c.patient2, body="private")
    client = client_for(clinic, c.patient)
    assert client.get(f"/clinic/appointments/{theirs.pk}/").status_code == 404
    assert (
        client.post(f"/clinic/appointments/{theirs.pk}/messages/", {"body": "hi"}).status_code
        == 404
    )
    assert client.post(f"/clinic/appointments/{theirs.pk}/cancel/").status_code == 404
    with tenant_context(clinic):
        theirs.refresh_from_db()
        assert theirs.state == AppointmentState.CONFIRMED
        assert AppointmentMessage.objects.count() == 1


def test_a_dentist_sees_only_their_own(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        colleague = make_appointment(c, dentist=c.dentist2, state=AppointmentState.REQUESTED)
    client = client_for(clinic, c.dentist)
    assert client.get(f"/clinic/appointments/{colleague.pk}/").status_code == 404
    assert client.post(f"/clinic/appointments/{colleague.pk}/confirm/").status_code == 404
    assert client.get(f"/clinic/schedule/?dentist={c.dentist2.pk}").status_code == 404
    assert client.get("/clinic/schedule/").status_code == 200


def test_the_front_desk_sees_every_dentist(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, dentist=c.dentist2, state=AppointmentState.REQUESTED)
    for user in (c.receptionist, c.admin):
        client = client_for(clinic, user)
        assert client.get(f"/clinic/appointments/{a.pk}/").status_code == 200
        page = client.get(f"/clinic/schedule/?dentist={c.dentist2.pk}&date={slot().date()}")
        assert page.status_code == 200 and f'data-appointment="{a.pk}"' in page.content.decode()
        assert f'data-appointment="{a.pk}"' in client.get("/clinic/requests/").content.decode()


def test_patients_cannot_open_staff_pages(c: Clinic, clinic: Tenant) -> None:
    client = client_for(clinic, c.patient)
    for url in ("/clinic/schedule/", "/clinic/requests/", "/clinic/schedule/data/"):
        assert client.get(url).status_code == 403
    assert client_for(clinic, c.dentist).get("/clinic/book/").status_code == 403


def test_nothing_of_another_clinic_is_reachable(
    c: Clinic, other: Clinic, clinic: Tenant, clinic_b: Tenant
) -> None:
    # given an appointment and a message in clinic_b, with a name that stands out
    with tenant_context(clinic_b):
        other.patient.full_name = "Zelda Foreign"
        other.patient.save()
        foreign = make_appointment(other, state=AppointmentState.REQUESTED)
        AppointmentMessage.objects.create(appointment=foreign, author=other.patient, body="b-only")
    with tenant_context(clinic):
        mine = make_appointment(c, starts_at=slot(hour=15))
        foreign_pk_free_here = not Appointment.objects.filter(pk=foreign.pk).exists()
    client = client_for(clinic, c.receptionist)
    # then clinic_a's front desk sees none of it anywhere
    day = slot().date()
    for url in (
        "/clinic/requests/",
        f"/clinic/schedule/?dentist={c.dentist.pk}&view=week&date={day}",
        "/clinic/",
    ):
        assert "Zelda Foreign" not in client.get(url).content.decode()
    data = client.get(f"/clinic/schedule/data/?dentist={c.dentist.pk}&date={day}").json()
    assert [a["id"] for a in data["appointments"]] == [mine.pk]
    if foreign_pk_free_here:
        assert client.get(f"/clinic/appointments/{foreign.pk}/").status_code == 404
    # and clinic_b's patient session is no login on clinic_a's domain
    b_client = client_for(clinic_b, other.patient)
    b_client.defaults["HTTP_HOST"] = "alpha-dental.test"
    assert b_client.get("/clinic/appointments/").status_code == 302


def test_dashboards_show_each_role_its_overview(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        make_appointment(c, state=AppointmentState.REQUESTED)
    patient = client_for(clinic, c.patient).get("/clinic/").content.decode()
    assert "Your upcoming appointments" in patient and "Check-up" in patient
    dentist = client_for(clinic, c.dentist).get("/clinic/").content.decode()
    assert "1 pending request" in dentist
    assert "0 pending requests" in client_for(clinic, c.dentist2).get("/clinic/").content.decode()
