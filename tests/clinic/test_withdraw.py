"""A patient can withdraw a request the clinic has not answered; the dentist and the
receptionists are told and the time is free again."""

import pytest
from django_tenants.utils import tenant_context

from clinic.models import AppointmentState
from realtime.models import Notification
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment, slot
from tests.factories import client_for

pytestmark = pytest.mark.django_db
S = AppointmentState


def test_the_patient_withdraws_a_pending_request(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, state=S.REQUESTED)
    patient = client_for(clinic, c.patient)
    # the button asks first (a confirmation step) and posts to clinic:withdraw
    page = patient.get(f"/clinic/appointments/{a.pk}/").content.decode()
    assert f"/clinic/appointments/{a.pk}/withdraw/" in page
    assert "Withdraw this request?" in page
    response = patient.post(f"/clinic/appointments/{a.pk}/withdraw/")
    assert response.status_code == 302
    with tenant_context(clinic):
        a.refresh_from_db()
        assert a.state == S.WITHDRAWN
        told = set(
            Notification.objects.filter(type="appointment.withdrawn").values_list(
                "recipient_id", flat=True
            )
        )
        assert told == {c.dentist.pk, c.receptionist.pk}
        # the time is free again
        make_appointment(c, starts_at=a.starts_at, patient=c.patient2)
    # and the request leaves the clinic's list
    assert (
        f"/appointments/{a.pk}/"
        not in client_for(clinic, c.dentist).get("/clinic/requests/").content.decode()
    )


def test_only_a_pending_request_of_ones_own_can_be_withdrawn(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        confirmed = make_appointment(c, starts_at=slot(days=3))
        request = make_appointment(c, state=S.REQUESTED)
    url = f"/clinic/appointments/{request.pk}/withdraw/"
    assert client_for(clinic, c.patient2).post(url).status_code == 404
    assert client_for(clinic, c.dentist).post(url).status_code == 403
    response = client_for(clinic, c.patient).post(f"/clinic/appointments/{confirmed.pk}/withdraw/")
    assert response.status_code == 409
    assert client_for(clinic, c.patient).get(url).status_code == 405
    with tenant_context(clinic):
        confirmed.refresh_from_db()
        request.refresh_from_db()
        assert confirmed.state == S.CONFIRMED and request.state == S.REQUESTED
