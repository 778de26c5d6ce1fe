"""Live offers on the full ASGI stack: a freed time reaches exactly the waiting patients it
suits (not the others, not the other clinic), each with their own offer; when one accepts,
the others' open pages hear at once that it is taken, and the clinic that it is filled."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from accounts.models import User
from accounts.roles import Role
from clinic.clock import local_today
from clinic.models import Appointment, WaitlistOffer
from clinic.services import appointments, waitlist
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment, make_clinic, slot
from tests.clinic.test_sockets import in_tenant
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, start

pytestmark = pytest.mark.usefixtures("live_db")


def _wait(c: Clinic, patient: User, dentist: User) -> None:
    waitlist.waitlist_join(
        patient=patient,
        dentist=dentist,
        appointment_type=c.checkup,
        weekdays=list(range(7)),
        periods=["morning", "afternoon", "evening"],
        until=local_today() + timedelta(days=10),
    )


def _world_a(clinic: Tenant) -> tuple[Clinic, dict[str, User], Appointment]:
    c = make_clinic(clinic)
    people = {
        "patient": c.patient,  # waits for Dr. Able: suits
        "patient2": c.patient2,  # waits for Dr. Able: suits
        "other_dentist": make_user(clinic, Role.PATIENT, name="Waits for Baker"),
        "holder": make_user(clinic, Role.PATIENT, name="Holds ten"),
        "dentist": c.dentist,
        "receptionist": c.receptionist,
    }
    _wait(c, c.patient, c.dentist)
    _wait(c, c.patient2, c.dentist)
    _wait(c, people["other_dentist"], c.dentist2)
    held = make_appointment(c, starts_at=slot(days=3, hour=10), patient=people["holder"])
    return c, people, held


def _world_b(clinic_b: Tenant) -> dict[str, User]:
    b = make_clinic(clinic_b)
    _wait(b, b.patient, b.dentist)  # the same wishes, in the other clinic
    return {"b_patient": b.patient, "b_receptionist": b.receptionist}


async def _heard(
    sockets: dict[str, WebsocketCommunicator], expected: dict[str, list[str]]
) -> dict[str, list[dict[str, Any]]]:
    """Each named socket hears exactly its notification types; every socket nothing else."""
    got: dict[str, list[dict[str, Any]]] = {}
    for name, types in expected.items():
        frames = [await receive(sockets[name]) for _ in types]
        assert all(f["type"] == "notification" for f in frames), frames
        assert sorted(f["notification"]["type"] for f in frames) == sorted(types), name
        got[name] = [f["notification"] for f in frames]
    quiet = await asyncio.gather(*(s.receive_nothing(timeout=0.3) for s in sockets.values()))
    noisy = [n for n, q in zip(sockets, quiet, strict=True) if not q]
    assert noisy == [], f"unexpected frames on {noisy}"
    return got


async def test_offers_reach_the_matching_patients_and_the_withdrawal_the_others(
    clinic: Tenant, clinic_b: Tenant
) -> None:
    # given patients waiting in two clinics, each with their page open
    c, people, held = await in_tenant(clinic, lambda: _world_a(clinic))
    people_b = await in_tenant(clinic_b, lambda: _world_b(clinic_b))
    sockets: dict[str, WebsocketCommunicator] = {}
    for tenant, group in ((clinic, people), (clinic_b, people_b)):
        for name, user in group.items():
            sockets[name] = await communicator(tenant, user)
            await start(sockets[name])
    try:
        # when the clinic cancels the 10:00 with Dr. Able
        await in_tenant(
            clinic,
            lambda: appointments.appointment_cancel(appointment=held, by=c.receptionist),
        )
        # then the two patients waiting for him are offered it, live, each their own offer
        got = await _heard(
            sockets,
            {
                "patient": ["waitlist.offered"],
                "patient2": ["waitlist.offered"],
                "holder": ["appointment.cancelled"],
            },
        )
        offers = await in_tenant(
            clinic, lambda: {o.patient_id: o for o in WaitlistOffer.objects.all()}
        )
        for name in ("patient", "patient2"):
            data = got[name][0]["data"]
            mine = offers[people[name].pk]
            assert data["offer_id"] == mine.pk
            assert data["url"] == f"/clinic/waitlist/offers/{mine.pk}/"
            assert data["dentist_name"] == "Dr. Able" and data["when"]
        # when the first patient accepts
        await in_tenant(
            clinic,
            lambda: waitlist.waitlist_offer_accept(
                offer=offers[c.patient.pk], by=people["patient"]
            ),
        )
        # then the other one hears at once that it is taken, and the clinic that it is filled
        got = await _heard(
            sockets,
            {
                "patient2": ["waitlist.offer_taken"],
                "dentist": ["waitlist.filled"],
                "receptionist": ["waitlist.filled"],
            },
        )
        assert got["patient2"][0]["data"]["slot_id"] == offers[c.patient2.pk].slot_id
    finally:
        for comm in sockets.values():
            await comm.disconnect()
