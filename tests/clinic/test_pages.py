"""Every page renders for the roles that use it, with what that role needs to act; the demo
seed fills a clinic and can run twice."""

import pytest
from django_tenants.utils import tenant_context

from clinic.demo import demo_seed
from clinic.models import Appointment, AppointmentState, Chair, WorkingHours
from clinic.services import appointments
from tenants.models import Tenant
from tests.clinic.factories import Clinic, hours_from_now, make_appointment, slot
from tests.factories import client_for

pytestmark = pytest.mark.django_db
S = AppointmentState


def test_dentist_day_and_week_schedule(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        confirmed = make_appointment(c, starts_at=slot(hour=9))
        requested = make_appointment(c, starts_at=slot(hour=11), state=S.REQUESTED)
        declined = make_appointment(c, starts_at=slot(hour=13), state=S.DECLINED)
        later = make_appointment(c, starts_at=slot(days=3, hour=9))
    client = client_for(clinic, c.dentist)
    day = client.get(f"/clinic/schedule/?date={slot().date()}").content.decode()
    assert f'data-appointment="{confirmed.pk}"' in day
    assert f'data-appointment="{requested.pk}"' in day
    assert f'data-appointment="{declined.pk}"' not in day  # a declined request is no booking
    assert f'data-appointment="{later.pk}"' not in day
    assert "clinic/schedule.js" in day and f'data-dentist="{c.dentist.pk}"' in day
    week = client.get(f"/clinic/schedule/?view=week&date={slot().date()}").content.decode()
    assert week.count('class="day"') == 7
    data = client.get(f"/clinic/schedule/data/?date={slot().date()}").json()
    assert data["dentist_id"] == c.dentist.pk
    assert [a["id"] for a in data["appointments"]] == [confirmed.pk, requested.pk]
    assert [a["id"] for a in data["pending"]] == [requested.pk]
    first = data["appointments"][0]
    assert (first["starts_at"], first["ends_at"]) == (
        confirmed.starts_at.isoformat(),
        confirmed.ends_at.isoformat(),
    )
    # no text in a language: the page writes labels and times in its viewer's language
    assert not {"state_label", "time_label", "when"} & set(first)


def test_pending_requests_page_offers_confirm_decline_propose(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, state=S.REQUESTED)
    page = client_for(clinic, c.dentist).get("/clinic/requests/").content.decode()
    for action in ("confirm", "decline", "propose"):
        assert f"/clinic/appointments/{a.pk}/{action}/" in page
    assert (
        f"/appointments/{a.pk}/"
        not in client_for(clinic, c.dentist2).get("/clinic/requests/").content.decode()
    )


def test_staff_see_complete_and_no_show_on_a_confirmed_appointment(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=hours_from_now(-0.25))
    page = client_for(clinic, c.receptionist).get(f"/clinic/appointments/{a.pk}/").content.decode()
    assert f"/clinic/appointments/{a.pk}/complete/" in page
    assert f"/clinic/appointments/{a.pk}/no-show/" in page
    response = client_for(clinic, c.dentist).post(f"/clinic/appointments/{a.pk}/no-show/")
    assert response.status_code == 302
    with tenant_context(clinic):
        a.refresh_from_db()
    assert a.state == S.NO_SHOW


def test_patient_pages(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c)
        moved = appointments.appointment_reschedule(
            appointment=a, by=c.dentist, starts_at=slot(days=4)
        )
    client = client_for(clinic, c.patient)
    mine = client.get("/clinic/appointments/").content.decode()
    assert "Rescheduled" in mine and "clinic/my_appointments.js" in mine
    old = client.get(f"/clinic/appointments/{a.pk}/").content.decode()
    assert f"/clinic/appointments/{moved.pk}/" in old  # "moved to" link
    assert f"/clinic/appointments/{a.pk}/cancel/" not in old
    new = client.get(f"/clinic/appointments/{moved.pk}/").content.decode()
    assert f"/clinic/appointments/{moved.pk}/cancel/" in new and "/confirm/" not in new
    assert client.get("/clinic/book/").status_code == 200


def test_the_demo_seed_fills_the_clinic_and_is_idempotent(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        Appointment.objects.all().delete()
        demo_seed(tenant=clinic)
        counts = (Chair.objects.count(), WorkingHours.objects.count(), Appointment.objects.count())
        demo_seed(tenant=clinic)
        assert (
            Chair.objects.count(),
            WorkingHours.objects.count(),
            Appointment.objects.count(),
        ) == counts
        assert Appointment.objects.filter(state=S.CONFIRMED).exists()
        assert Appointment.objects.filter(state=S.REQUESTED).exists()
