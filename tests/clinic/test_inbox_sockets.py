"""The staff's inbox topic on the full ASGI stack: a patient's message reaches the open inboxes
of the front desk and of the appointment's dentist, each with their own unread count, and
nobody else's (a colleague dentist, the patient, another clinic); reading clears only the
reader's own count."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from clinic.services.messages import appointment_message_post
from clinic.services.threads import thread_mark_read
from tenants.models import Tenant
from tests.clinic.factories import make_appointment, make_clinic
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")


def _in(tenant: Tenant, fn: Callable[[], Any]) -> Any:
    with tenant_context(tenant):
        return fn()


in_tenant = database_sync_to_async(_in)


async def watch_inbox(tenant: Tenant, user: User) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    comm = await communicator(tenant, user)
    await start(comm)
    await send(comm, type="subscribe", topic="clinic.inbox", params={})
    return comm, await receive(comm)


async def test_a_patients_message_reaches_the_right_inboxes_only(
    clinic: Tenant, clinic_b: Tenant
) -> None:
    # given the clinic's staff, each with their inbox open, and another clinic's front desk
    c = await in_tenant(clinic, lambda: make_clinic(clinic))
    b = await in_tenant(clinic_b, lambda: make_clinic(clinic_b))
    colleague = await database_sync_to_async(make_user)(clinic, Role.RECEPTIONIST, name="Desk 2")
    a = await in_tenant(clinic, lambda: make_appointment(c))
    staff = {
        "receptionist": (clinic, c.receptionist),
        "colleague": (clinic, colleague),
        "admin": (clinic, c.admin),
        "dentist": (clinic, c.dentist),
        "dentist2": (clinic, c.dentist2),
        "b_receptionist": (clinic_b, b.receptionist),
        "b_dentist": (clinic_b, b.dentist),
    }
    sockets: dict[str, WebsocketCommunicator] = {}
    try:
        for name, (tenant, user) in staff.items():
            sockets[name], answer = await watch_inbox(tenant, user)
            # each watches their own inbox, whatever id they might name
            assert answer["type"] == "subscribed" and answer["object_id"] == user.pk, answer
        # the patient has no inbox to watch
        patient, refused = await watch_inbox(clinic, c.patient)
        assert refused["type"] == "error" and refused["code"] == "forbidden"
        assert "staff" in refused["message"]
        sockets["patient"] = patient

        # when the patient writes
        await in_tenant(
            clinic,
            lambda: appointment_message_post(appointment=a, author=c.patient, body="Running late"),
        )

        # then the front desk, the administrator and the appointment's dentist see the thread
        # move up with one unread message; the other dentist, the patient and the other clinic
        # see nothing (only the dentist and the front desk also get a notification)
        for name in ("receptionist", "colleague", "admin", "dentist"):
            frames = [await receive(sockets[name])]
            if name != "admin":
                frames.append(await receive(sockets[name]))
            events = [f for f in frames if f["type"] == "event"]
            assert len(events) == 1, (name, frames)
            event = events[0]
            assert event["topic"] == "clinic.inbox" and event["object_id"] == staff[name][1].pk
            assert event["event"]["type"] == "thread.changed"
            thread = event["event"]["thread"]
            assert thread["appointment_id"] == a.pk and thread["excerpt"] == "Running late"
            assert thread["patient_name"] == "Pat One" and thread["unread"] == 1
            assert event["event"]["total"] == 1
        quiet = await asyncio.gather(*(s.receive_nothing(timeout=0.3) for s in sockets.values()))
        assert [n for n, q in zip(sockets, quiet, strict=True) if not q] == []

        # when one receptionist reads the thread
        await in_tenant(clinic, lambda: thread_mark_read(appointment=a, reader=c.receptionist))
        # then only their own inbox clears the count
        frame = await receive(sockets["receptionist"])
        assert frame["event"]["type"] == "thread.read"
        assert frame["event"]["thread"]["unread"] == 0 and frame["event"]["total"] == 0
        quiet = await asyncio.gather(*(s.receive_nothing(timeout=0.3) for s in sockets.values()))
        assert [n for n, q in zip(sockets, quiet, strict=True) if not q] == []

        # and when the receptionist answers, the colleague's count grows to two while the
        # author's own inbox shows the answer read
        await in_tenant(
            clinic,
            lambda: appointment_message_post(appointment=a, author=c.receptionist, body="No rush"),
        )
        own = await receive(sockets["receptionist"])
        assert own["event"]["thread"]["unread"] == 0
        assert own["event"]["thread"]["author_name"] == "Front Desk"
        other = await receive(sockets["colleague"])
        assert other["event"]["thread"]["unread"] == 2 and other["event"]["total"] == 2
    finally:
        for comm in sockets.values():
            await comm.disconnect()
