"""The message thread of an appointment: stored, and delivered to the other side as an
`appointment.message` notification (so replay brings back anything missed)."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from accounts.roles import Role
from clinic.models import AppointmentMessage
from clinic.services.messages import appointment_message_post
from realtime.models import Notification
from realtime.services import notification_payload
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db


def recipients_of(message_id: int) -> set[int]:
    return set(
        Notification.objects.filter(
            type="appointment.message", data__message_id=message_id
        ).values_list("recipient_id", flat=True)
    )


def test_a_patients_message_reaches_the_dentist_and_front_desk(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c)
    response = client_for(clinic, c.patient).post(
        f"/clinic/appointments/{a.pk}/messages/", {"body": "Can I come 10 minutes late?"}
    )
    assert response.status_code == 302
    with tenant_context(clinic):
        m = AppointmentMessage.objects.get()
        assert m.author == c.patient and m.body == "Can I come 10 minutes late?"
        assert recipients_of(m.pk) == {c.dentist.pk, c.receptionist.pk}
        data = notification_payload(
            Notification.objects.filter(recipient=c.dentist).get(), language="en"
        )["data"]
        assert data["text"] == m.body and data["appointment_id"] == a.pk
        assert data["title"] == "Message from Pat One"


def test_the_clinics_reply_reaches_the_patient(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c)
        reply = appointment_message_post(appointment=a, author=c.receptionist, body="Sure.")
        assert recipients_of(reply.pk) == {c.patient.pk, c.dentist.pk}
        own = appointment_message_post(appointment=a, author=c.dentist, body="See you.")
        assert recipients_of(own.pk) == {c.patient.pk}


def test_the_thread_shows_on_the_page_of_each_side(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c)
        appointment_message_post(appointment=a, author=c.patient, body="Hello <b>clinic</b>")
    for user in (c.patient, c.dentist, c.receptionist):
        page = client_for(clinic, user).get(f"/clinic/appointments/{a.pk}/").content.decode()
        assert "Hello &lt;b&gt;clinic&lt;/b&gt;" in page


def test_empty_outsider_and_colleague_messages_are_refused(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c)
        with pytest.raises(ValidationError, match="Write a message"):
            appointment_message_post(appointment=a, author=c.patient, body="   ")
        with pytest.raises(ValidationError, match="Only the clinic"):
            appointment_message_post(appointment=a, author=c.patient2, body="hi")
        with pytest.raises(ValidationError, match="another dentist"):
            appointment_message_post(appointment=a, author=c.dentist2, body="hi")
        with pytest.raises(ValidationError, match="limited"):
            appointment_message_post(appointment=a, author=c.patient, body="x" * 2001)
        assert AppointmentMessage.objects.count() == 0
        assert Notification.objects.count() == 0
    response = client_for(clinic, c.patient).post(
        f"/clinic/appointments/{a.pk}/messages/", {"body": ""}
    )
    assert response.status_code == 400 and "Write a message" in response.content.decode()


def test_inactive_receptionists_are_not_told(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        gone = make_user(clinic, Role.RECEPTIONIST)
        gone.is_active = False
        gone.save()
        a = make_appointment(c)
        m = appointment_message_post(appointment=a, author=c.patient, body="hi")
        assert gone.pk not in recipients_of(m.pk)
