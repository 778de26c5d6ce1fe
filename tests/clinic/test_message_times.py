"""A message's time reads in one format, in the clinic's time zone (clinic_when), whatever
the server's zone."""

from datetime import UTC, datetime

import pytest
from django.utils import translation
from django_tenants.utils import tenant_context

from clinic.models import AppointmentMessage
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def test_a_message_time_is_the_clinics_wall_clock(c: Clinic, clinic: Tenant) -> None:
    # given a clinic in New York and a message written at 15:05 UTC (10:05 there in winter)
    Tenant.objects.filter(pk=clinic.pk).update(timezone="America/New_York")
    clinic.timezone = "America/New_York"
    with tenant_context(clinic):
        a = make_appointment(c)
        AppointmentMessage.objects.create(
            appointment=a,
            author=c.patient,
            body="Hello",
            created_at=datetime(2026, 1, 15, 15, 5, tzinfo=UTC),
        )
    with translation.override("en"):
        page = client_for(clinic, c.dentist).get(f"/clinic/appointments/{a.pk}/").content.decode()
    # then the thread writes it as the clinic writes times: "Jan 15, 2026 10:05 AM"
    assert "Jan 15, 2026 10:05 AM" in page
