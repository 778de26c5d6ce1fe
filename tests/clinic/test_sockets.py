"""Each transition reaches exactly the right sockets: the person who must be told gets a
notification, the schedule's watchers get a topic event, and nobody else (in this clinic or
the other one) gets anything."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django_tenants.utils import tenant_context

from accounts.models import User
from clinic.models import Appointment, AppointmentState
from clinic.services import appointments, messages, reminders
from tenants.models import Tenant
from tests.clinic.factories import Clinic, hours_from_now, make_appointment, make_clinic, slot
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")
S = AppointmentState


def _in(tenant: Tenant, fn: Callable[[], Any]) -> Any:
    with tenant_context(tenant):
        return fn()


in_tenant = database_sync_to_async(_in)


@dataclass
class World:
    a: Clinic
    b: Clinic
    sockets: dict[str, WebsocketCommunicator]


async def subscribe(comm: WebsocketCommunicator, dentist_id: int) -> dict[str, Any]:
    await send(comm, type="subscribe", topic="clinic.schedule", params={"object_id": dentist_id})
    return await receive(comm)


async def open_world(clinic: Tenant, clinic_b: Tenant) -> World:
    a = await in_tenant(clinic, lambda: make_clinic(clinic))
    b = await in_tenant(clinic_b, lambda: make_clinic(clinic_b))
    people: dict[str, tuple[Tenant, User, int | None]] = {
        "patient": (clinic, a.patient, None),
        "patient2": (clinic, a.patient2, None),
        "dentist": (clinic, a.dentist, a.dentist.pk),
        "dentist2": (clinic, a.dentist2, a.dentist2.pk),
        "receptionist": (clinic, a.receptionist, a.dentist.pk),
        "admin": (clinic, a.admin, None),
        "b_dentist": (clinic_b, b.dentist, b.dentist.pk),
        "b_receptionist": (clinic_b, b.receptionist, b.dentist.pk),
        "b_patient": (clinic_b, b.patient, None),
    }
    sockets = {}
    for name, (tenant, user, watch) in people.items():
        comm = await communicator(tenant, user)
        await start(comm)
        if watch is not None:
            assert (await subscribe(comm, watch))["type"] == "subscribed"
        sockets[name] = comm
    return World(a=a, b=b, sockets=sockets)


def label(frame: dict[str, Any]) -> str:
    if frame["type"] == "notification":
        return f"notification {frame['notification']['type']}"
    assert frame["type"] == "event", frame
    return f"event {frame['event']['change']} #{frame['event']['appointment']['id']}"


async def collect(world: World, expected: dict[str, list[str]]) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for name, labels in expected.items():
        frames = [await receive(world.sockets[name]) for _ in labels]
        got[name] = sorted(label(f) for f in frames)
    quiet = await asyncio.gather(*(c.receive_nothing(timeout=0.3) for c in world.sockets.values()))
    silent = [n for n, q in zip(world.sockets, quiet, strict=True) if not q]
    assert silent == [], f"unexpected frames on {silent}"
    return got


async def close(world: World) -> None:
    for comm in world.sockets.values():
        await comm.disconnect()


Prepare = Callable[[Clinic], Any]
Act = Callable[[Clinic, Any], Any]


def _request(c: Clinic, _: Any) -> Appointment:
    return appointments.appointment_request(
        patient=c.patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot()
    )


CASES: dict[str, tuple[Prepare, Act, Callable[[int, int], dict[str, list[str]]]]] = {
    "request": (
        lambda c: None,
        _request,
        lambda aid, new: {
            "dentist": sorted(["notification appointment.requested", f"event requested #{new}"]),
            "receptionist": sorted(
                ["notification appointment.requested", f"event requested #{new}"]
            ),
        },
    ),
    "confirm": (
        lambda c: make_appointment(c, state=S.REQUESTED),
        lambda c, a: appointments.appointment_confirm(appointment=a, by=c.dentist),
        lambda aid, new: {
            "patient": ["notification appointment.confirmed"],
            "dentist": [f"event confirmed #{aid}"],
            "receptionist": [f"event confirmed #{aid}"],
        },
    ),
    "decline": (
        lambda c: make_appointment(c, state=S.REQUESTED),
        lambda c, a: appointments.appointment_decline(appointment=a, by=c.receptionist),
        lambda aid, new: {
            "patient": ["notification appointment.declined"],
            "dentist": [f"event declined #{aid}"],
            "receptionist": [f"event declined #{aid}"],
        },
    ),
    "propose": (
        lambda c: make_appointment(c, state=S.REQUESTED),
        lambda c, a: appointments.appointment_propose(
            appointment=a, by=c.dentist, starts_at=slot(hour=15)
        ),
        lambda aid, new: {
            "patient": ["notification appointment.proposed"],
            "dentist": [f"event proposed #{aid}"],
            "receptionist": [f"event proposed #{aid}"],
        },
    ),
    "patient accepts the proposal": (
        lambda c: make_appointment(c, state=S.PROPOSED, proposed_starts_at=slot(hour=15)),
        lambda c, a: appointments.appointment_accept_proposal(appointment=a, by=c.patient),
        lambda aid, new: {
            "dentist": sorted(
                ["notification appointment.proposal_accepted", f"event confirmed #{aid}"]
            ),
            "receptionist": sorted(
                ["notification appointment.proposal_accepted", f"event confirmed #{aid}"]
            ),
        },
    ),
    "patient declines the proposal": (
        lambda c: make_appointment(c, state=S.PROPOSED, proposed_starts_at=slot(hour=15)),
        lambda c, a: appointments.appointment_reject_proposal(appointment=a, by=c.patient),
        lambda aid, new: {
            "dentist": sorted(
                ["notification appointment.proposal_declined", f"event requested #{aid}"]
            ),
            "receptionist": sorted(
                ["notification appointment.proposal_declined", f"event requested #{aid}"]
            ),
        },
    ),
    "patient withdraws": (
        lambda c: make_appointment(c, state=S.REQUESTED),
        lambda c, a: appointments.appointment_withdraw(appointment=a, by=c.patient),
        lambda aid, new: {
            "dentist": sorted(["notification appointment.withdrawn", f"event withdrawn #{aid}"]),
            "receptionist": sorted(
                ["notification appointment.withdrawn", f"event withdrawn #{aid}"]
            ),
        },
    ),
    "reschedule": (
        lambda c: make_appointment(c),
        lambda c, a: appointments.appointment_reschedule(
            appointment=a, by=c.admin, starts_at=slot(days=3)
        ),
        lambda aid, new: {
            "patient": ["notification appointment.rescheduled"],
            "dentist": sorted([f"event rescheduled #{aid}", f"event rescheduled #{new}"]),
            "receptionist": sorted([f"event rescheduled #{aid}", f"event rescheduled #{new}"]),
        },
    ),
    "patient cancels": (
        lambda c: make_appointment(c, starts_at=hours_from_now(72)),
        lambda c, a: appointments.appointment_cancel(appointment=a, by=c.patient),
        lambda aid, new: {
            "dentist": sorted(["notification appointment.cancelled", f"event cancelled #{aid}"]),
            "receptionist": [f"event cancelled #{aid}"],
        },
    ),
    "clinic cancels": (
        lambda c: make_appointment(c, starts_at=hours_from_now(2)),
        lambda c, a: appointments.appointment_cancel(appointment=a, by=c.receptionist),
        lambda aid, new: {
            "patient": ["notification appointment.cancelled"],
            "dentist": [f"event cancelled #{aid}"],
            "receptionist": [f"event cancelled #{aid}"],
        },
    ),
    "complete": (
        lambda c: make_appointment(c, starts_at=hours_from_now(-0.5)),
        lambda c, a: appointments.appointment_complete(appointment=a, by=c.dentist),
        lambda aid, new: {
            "dentist": [f"event completed #{aid}"],
            "receptionist": [f"event completed #{aid}"],
        },
    ),
    "no-show": (
        lambda c: make_appointment(c, starts_at=hours_from_now(-0.5)),
        lambda c, a: appointments.appointment_no_show(appointment=a, by=c.receptionist),
        lambda aid, new: {
            "dentist": [f"event no_show #{aid}"],
            "receptionist": [f"event no_show #{aid}"],
        },
    ),
    "patient writes": (
        lambda c: make_appointment(c),
        lambda c, a: (
            messages.appointment_message_post(appointment=a, author=c.patient, body="hi") and None
        ),
        lambda aid, new: {
            "dentist": ["notification appointment.message"],
            "receptionist": ["notification appointment.message"],
        },
    ),
    "dentist writes": (
        lambda c: make_appointment(c),
        lambda c, a: (
            messages.appointment_message_post(appointment=a, author=c.dentist, body="ok") and None
        ),
        lambda aid, new: {"patient": ["notification appointment.message"]},
    ),
    "reminder": (
        lambda c: make_appointment(c, starts_at=hours_from_now(20)),
        lambda c, a: reminders.reminders_send_due(),
        lambda aid, new: {"patient": ["notification appointment.reminder"]},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_each_transition_reaches_exactly_the_right_sockets(
    clinic: Tenant, clinic_b: Tenant, case: str
) -> None:
    prepare, act, expected = CASES[case]
    world = await open_world(clinic, clinic_b)
    try:
        # given the appointment, before anyone listens
        a = await in_tenant(clinic, lambda: prepare(world.a))
        # when the change commits
        result = await in_tenant(clinic, lambda: act(world.a, a))
        aid = a.pk if a else (result.pk if result else 0)
        new = result.pk if isinstance(result, Appointment) else aid
        # then exactly these sockets get exactly these frames
        want = expected(aid, new)
        assert await collect(world, want) == {k: sorted(v) for k, v in want.items()}
    finally:
        await close(world)


async def test_notification_frames_carry_what_the_page_needs(
    clinic: Tenant, clinic_b: Tenant
) -> None:
    world = await open_world(clinic, clinic_b)
    try:
        a = await in_tenant(clinic, lambda: make_appointment(world.a, state=S.REQUESTED))
        await in_tenant(
            clinic, lambda: appointments.appointment_confirm(appointment=a, by=world.a.dentist)
        )
        frame = await receive(world.sockets["patient"])
        data = frame["notification"]["data"]
        assert data["appointment_id"] == a.pk and data["state"] == "confirmed"
        assert data["title"] == "Appointment confirmed" and data["url"].endswith(f"/{a.pk}/")
        event = await receive(world.sockets["dentist"])
        assert event["topic"] == "clinic.schedule" and event["object_id"] == world.a.dentist.pk
        assert event["event"]["type"] == "appointment.changed"
        assert event["event"]["appointment"]["state"] == "confirmed"
    finally:
        await close(world)


async def test_a_patient_offline_during_a_change_gets_it_on_reconnect(clinic: Tenant) -> None:
    c = await in_tenant(clinic, lambda: make_clinic(clinic))
    a = await in_tenant(clinic, lambda: make_appointment(c, state=S.REQUESTED))
    await in_tenant(clinic, lambda: appointments.appointment_confirm(appointment=a, by=c.dentist))
    await in_tenant(
        clinic, lambda: messages.appointment_message_post(appointment=a, author=c.dentist, body="x")
    )
    comm = await communicator(clinic, c.patient)
    _, replayed = await start(comm)
    assert [n["type"] for n in replayed] == ["appointment.confirmed", "appointment.message"]
    assert [n["seq"] for n in replayed] == [1, 2]
    await comm.disconnect()


async def test_who_may_watch_a_schedule(clinic: Tenant, clinic_b: Tenant) -> None:
    c = await in_tenant(clinic, lambda: make_clinic(clinic))
    b = await in_tenant(clinic_b, lambda: make_clinic(clinic_b))
    cases = [
        (clinic, c.dentist, c.dentist.pk, "subscribed"),
        (clinic, c.dentist, c.dentist2.pk, "Dentists may watch only their own"),
        (clinic, c.receptionist, c.dentist2.pk, "subscribed"),
        (clinic, c.admin, c.dentist.pk, "subscribed"),
        (clinic, c.receptionist, c.patient.pk, "may not watch"),  # not a dentist
        (clinic, c.patient, c.dentist.pk, "Patients cannot"),
        (clinic, c.receptionist, b.dentist.pk + 10_000, "may not watch"),
        (clinic_b, b.receptionist, b.dentist.pk, "subscribed"),
    ]
    for tenant, user, dentist_id, outcome in cases:
        comm = await communicator(tenant, user)
        await start(comm)
        answer = await subscribe(comm, dentist_id)
        if outcome == "subscribed":
            assert answer["type"] == "subscribed" and answer["object_id"] == dentist_id
        else:
            assert answer["type"] == "error" and answer["code"] == "forbidden", answer
            assert outcome in answer["message"]
        await comm.disconnect()
