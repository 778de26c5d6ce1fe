"""Deactivating someone or changing their role ends what they have open: on the full ASGI
stack with the real Redis, a socket of theirs opened with their browser's session closes
(4401), while a bystander's stays."""

import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.roles import Role
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")
new_user = database_sync_to_async(make_user)


async def close_code(comm: WebsocketCommunicator, wait: float = 2.0) -> int:
    """The code the server closed with, skipping the frames sent before it."""
    deadline = time.monotonic() + wait
    while True:
        output = await comm.receive_output(timeout=max(0.05, deadline - time.monotonic()))
        if output["type"] == "websocket.close":
            code: int = output["code"]
            return code


CASES = [
    ("school", Role.STUDENT, "deactivate", {}),
    ("clinic", Role.PATIENT, "deactivate", {}),
    ("school", Role.TEACHER, "role", {"role": "administrator"}),
    ("clinic", Role.DENTIST, "role", {"role": "receptionist"}),
]


@pytest.fixture(params=CASES, ids=[f"{k}-{r}-{a}" for k, r, a, _ in CASES])
def case(request: pytest.FixtureRequest) -> tuple[Tenant, str, str, dict[str, str]]:
    """The tenant (its second of the kind beside it), whose person, what is done to them."""
    kind, role, action, form = request.param
    request.getfixturevalue(f"{kind}_b")
    return request.getfixturevalue(kind), role, action, form


async def test_an_open_socket_of_the_person_is_closed(
    case: tuple[Tenant, str, str, dict[str, str]],
) -> None:
    tenant, role, action, form = case
    # given a person with a live page open (a socket with their browser's session), and a
    # bystander's socket
    manager = await new_user(tenant, Role.ADMINISTRATOR)
    person = await new_user(tenant, role)
    bystander = await new_user(tenant, role)
    theirs = await communicator(tenant, person)
    others = await communicator(tenant, bystander)
    await start(theirs)
    await start(others)
    # when a manager deactivates them, or changes their role, through the page
    client = await database_sync_to_async(client_for)(tenant, manager)
    answer = await database_sync_to_async(client.post)(f"/people/{person.pk}/{action}/", form)
    assert answer.status_code == 302
    # then their socket closes as signed out, and the bystander's is still served
    assert await close_code(theirs) == 4401
    await send(others, type="ping")
    assert (await receive(others))["type"] == "pong"
    await others.disconnect()
