"""Staff pages learn that someone came or went without polling (topic "presence")."""

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.roles import Role
from tenants.models import Tenant
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")
new_user = database_sync_to_async(make_user)


async def _watching(tenant: Tenant, role: Role) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    comm = await communicator(tenant, await new_user(tenant, role))
    await start(comm)
    await send(comm, type="subscribe", topic="presence", params={})
    return comm, await receive(comm)


async def test_staff_are_told_when_a_colleague_comes_and_goes(
    clinic: Tenant, clinic_b: Tenant
) -> None:
    desk, answer = await _watching(clinic, Role.RECEPTIONIST)
    elsewhere, _ = await _watching(clinic_b, Role.RECEPTIONIST)
    assert answer["type"] == "subscribed"
    # when a dentist opens a page, then closes it
    dentist = await communicator(clinic, await new_user(clinic, Role.DENTIST))
    await start(dentist)
    came = await receive(desk)
    assert came["type"] == "event" and came["event"] == {"type": "presence.changed"}
    await dentist.disconnect()
    assert (await receive(desk))["event"] == {"type": "presence.changed"}
    # the other clinic heard nothing, and patients coming and going are not announced
    assert await elsewhere.receive_nothing(timeout=0.3)
    patient = await communicator(clinic, await new_user(clinic, Role.PATIENT))
    await start(patient)
    assert await desk.receive_nothing(timeout=0.3)
    for comm in (desk, elsewhere, patient):
        await comm.disconnect()


async def test_patients_may_not_watch_presence(clinic: Tenant) -> None:
    _, answer = await _watching(clinic, Role.PATIENT)
    assert answer["type"] == "error" and answer["code"] == "forbidden"
