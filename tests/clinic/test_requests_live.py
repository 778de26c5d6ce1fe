"""The Requests page follows the schedules of the dentists it shows: a new request reaches
the dentist's and every receptionist's open page (and their inbox), nobody in the other
clinic."""

import json
import re

import pytest
from django_tenants.utils import tenant_context

from clinic.services import appointments
from tenants.models import Tenant
from tests.clinic.factories import make_clinic, slot
from tests.clinic.test_sockets import in_tenant, subscribe
from tests.factories import client_for
from tests.realtime.helpers import communicator, receive, start

pytestmark = pytest.mark.usefixtures("live_db")


def _watched(page: str) -> list[int]:
    found = re.search(r'<script id="clinic-watched" type="application/json">(.*?)</script>', page)
    assert found is not None
    return sorted(json.loads(found.group(1)))


def test_the_page_watches_the_dentists_it_lists(clinic: Tenant) -> None:
    with tenant_context(clinic):
        c = make_clinic(clinic)
    front = client_for(clinic, c.receptionist).get("/clinic/requests/").content.decode()
    assert _watched(front) == sorted([c.dentist.pk, c.dentist2.pk])
    assert "clinic/requests.js" in front
    own = client_for(clinic, c.dentist).get("/clinic/requests/").content.decode()
    assert _watched(own) == [c.dentist.pk]


async def test_a_new_request_reaches_the_dentist_and_the_receptionists(
    clinic: Tenant, clinic_b: Tenant
) -> None:
    c = await in_tenant(clinic, lambda: make_clinic(clinic))
    b = await in_tenant(clinic_b, lambda: make_clinic(clinic_b))
    # given the receptionist's Requests page (watching both dentists), the dentist's
    # (watching their own), the other dentist's, and the other clinic's front desk
    sockets = {}
    for name, tenant, user, watch in [
        ("receptionist", clinic, c.receptionist, [c.dentist.pk, c.dentist2.pk]),
        ("dentist", clinic, c.dentist, [c.dentist.pk]),
        ("dentist2", clinic, c.dentist2, [c.dentist2.pk]),
        ("b_receptionist", clinic_b, b.receptionist, [b.dentist.pk, b.dentist2.pk]),
    ]:
        comm = await communicator(tenant, user)
        await start(comm)
        for dentist_id in watch:
            assert (await subscribe(comm, dentist_id))["type"] == "subscribed"
        sockets[name] = comm
    try:
        # when a patient asks for the first dentist
        a = await in_tenant(
            clinic,
            lambda: appointments.appointment_request(
                patient=c.patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot()
            ),
        )
        # then the dentist and the receptionist get the notification and the row's event
        for name in ("receptionist", "dentist"):
            frames = [await receive(sockets[name]) for _ in range(2)]
            kinds = sorted(f["type"] for f in frames)
            assert kinds == ["event", "notification"], frames
            event = next(f for f in frames if f["type"] == "event")["event"]
            assert event["appointment"]["id"] == a.pk and event["appointment"]["awaiting_answer"]
        # and nobody else hears anything
        for name in ("dentist2", "b_receptionist", "receptionist", "dentist"):
            assert await sockets[name].receive_nothing(timeout=0.3), name
    finally:
        for comm in sockets.values():
            await comm.disconnect()
