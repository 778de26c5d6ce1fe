"""However a tenant socket ends, it leaves nothing behind within a second: its presence entry
(who is online, the open-socket figures of the monitor and /metrics) is gone, its process's
hub hands it nothing more, and none of its background tasks still runs. One test per ending,
on the full ASGI stack with the real Redis; the flood also through a real Daphne with a
client that never answers the closing handshake."""

import asyncio
import base64
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import override_settings

from accounts.models import User
from accounts.roles import Role
from config.redis import redis_client, redis_key
from realtime.groups import tenant_group, user_group
from realtime.hub import hub
from realtime.lifetime import TASK_PREFIX
from realtime.presence import presence_counts, presence_online_users
from realtime.protocol import MAX_FRAME_BYTES
from tenants.models import Tenant, TenantStatus
from tenants.services import tenant_set_status
from testing.servers import daphne
from tests.conftest import TEST_TENANTS
from tests.factories import client_for, domain_of, make_user, session_for
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")
new_user = database_sync_to_async(make_user)
SCHEMA = "school_a"
# Flood limits small enough for a test: 5 frames at once, the socket ends at the 20th refusal.
FLOOD = {"AVISO_WS_RATE_BURST": 5, "AVISO_WS_RATE_PER_SECOND": 1, "AVISO_WS_FLOOD_STRIKES": 20}


@pytest.fixture(autouse=True)
def _fresh_presence() -> None:
    """Counting sockets starts from a clean slate (user ids restart with each test)."""
    for slug, *_ in TEST_TENANTS:
        redis_client().delete(redis_key("presence", slug))


async def eventually(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.02)
    return check()


def channels_of(user: User) -> list[str]:
    """The channel names of the user's sockets that presence counts (members "<id>|<channel>")."""
    members: list[str] = redis_client().zrange(redis_key("presence", SCHEMA), 0, -1)  # type: ignore[assignment]
    return [m.partition("|")[2] for m in members if m.partition("|")[0] == str(user.pk)]


def hub_groups_of(channel: str) -> set[str]:
    """The groups this loop's hub would hand the socket on `channel` events of."""
    return {
        group
        for group, members in hub().groups.items()
        if any(member.socket_id == channel for member in members)
    }


def tasks_of(channel: str) -> list[str]:
    """Names of this loop's unfinished tasks owned by the socket on `channel`."""
    return [
        task.get_name()
        for task in asyncio.all_tasks()
        if task.get_name().startswith(TASK_PREFIX)
        and f":{channel}:" in task.get_name()
        and not task.done()
    ]


def open_sockets() -> int:
    return presence_counts(schema_names=[SCHEMA])[SCHEMA][0]


class Watched:
    """A ready socket of `user`, and what an operator sees of it."""

    def __init__(self, comm: WebsocketCommunicator, user: User) -> None:
        self.comm, self.user = comm, user
        [self.channel] = channels_of(user)
        # it is counted, and its process's hub serves it (so the checks below can fail)
        assert user.pk in presence_online_users(schema_name=SCHEMA)
        assert hub_groups_of(self.channel) == {
            user_group(schema_name=SCHEMA, user_id=user.pk),
            tenant_group(schema_name=SCHEMA),
        }

    async def gone_within(self, seconds: float = 1.0) -> None:
        """Then: within `seconds`, not online, not counted, no task left running."""
        assert await eventually(
            lambda: self.user.pk not in presence_online_users(schema_name=SCHEMA), seconds
        ), "still shown online"
        assert self.channel not in channels_of(self.user)
        assert not hub_groups_of(self.channel), "the hub still hands it events"
        assert await eventually(lambda: not tasks_of(self.channel), seconds), tasks_of(self.channel)


async def watched_socket(tenant: Tenant, role: str = Role.STUDENT, **kwargs: Any) -> Watched:
    user = await new_user(tenant, role)
    comm = await communicator(tenant, user, **kwargs)
    await start(comm)
    return Watched(comm, user)


async def close_code(comm: WebsocketCommunicator, wait: float = 1.0) -> int:
    """The code the server closed with, skipping the frames sent before it."""
    deadline = time.monotonic() + wait
    while True:
        output = await comm.receive_output(timeout=max(0.05, deadline - time.monotonic()))
        if output["type"] == "websocket.close":
            code: int = output["code"]
            return code


# --- one test per ending ---------------------------------------------------------------------


async def test_client_close(school: Tenant) -> None:
    # given a student's socket and a bystander's
    socket = await watched_socket(school)
    bystander = await watched_socket(school)
    assert open_sockets() == 2
    # when the student's page closes it
    await socket.comm.disconnect()
    # then it is gone within a second, and the bystander's is still counted
    await socket.gone_within()
    assert open_sockets() == 1
    await bystander.comm.disconnect()


async def test_server_close_for_a_flood_without_a_closing_handshake(school: Tenant) -> None:
    # given a socket with a small frame budget, and a bystander
    with override_settings(**FLOOD):
        socket = await watched_socket(school)
    bystander = await watched_socket(school)
    # when it floods, and never answers the server's close (no disconnect is ever sent)
    for _ in range(200):
        await send(socket.comm, type="ping")
    assert await close_code(socket.comm, wait=5) == 4429
    # then it leaves nothing behind within a second, and the bystander is served and counted
    await socket.gone_within()
    assert open_sockets() == 1
    await send(bystander.comm, type="ping")
    assert (await receive(bystander.comm))["type"] == "pong"
    await bystander.comm.disconnect()


async def test_server_close_for_a_frame_too_big(school: Tenant) -> None:
    socket = await watched_socket(school)
    await socket.comm.send_to(text_data="x" * (MAX_FRAME_BYTES + 1))
    assert await close_code(socket.comm) == 4413
    await socket.gone_within()
    assert open_sockets() == 0


async def test_logout(school: Tenant) -> None:
    # given a student's socket opened with the session of her browser
    lisa = await new_user(school, Role.STUDENT)
    browser = await database_sync_to_async(client_for)(school, lisa)
    comm = await communicator(school, session_key=browser.cookies["sessionid"].value)
    await start(comm)
    socket = Watched(comm, lisa)
    # when she signs out through the real logout page
    response = await database_sync_to_async(browser.post)("/accounts/logout/")
    assert response.status_code == 302
    # then the socket closes with 4401 and leaves nothing behind
    assert await close_code(comm) == 4401
    await socket.gone_within()


async def test_suspension(school: Tenant) -> None:
    socket = await watched_socket(school, Role.ADMINISTRATOR)
    suspend = database_sync_to_async(tenant_set_status)
    await suspend(tenant=school, status=TenantStatus.SUSPENDED)
    try:
        assert await close_code(socket.comm) == 4423
        await socket.gone_within()
    finally:
        await suspend(tenant=school, status=TenantStatus.ACTIVE)


async def test_an_exception_in_a_handler(school: Tenant) -> None:
    # given a socket, and an event its handler cannot read (no "notification": KeyError)
    socket = await watched_socket(school)
    group = user_group(schema_name=SCHEMA, user_id=socket.user.pk)
    await hub().publish([(group, {"type": "notification"})])
    # then the socket is closed as a server error (the page reconnects)...
    assert await close_code(socket.comm, wait=3) == 1011
    # ...and leaves nothing behind
    await socket.gone_within()


async def test_the_server_cancelling_it(school: Tenant) -> None:
    # given a socket, when the server cancels its application (Daphne shutting down, or
    # killing an application that outlived its connection)
    socket = await watched_socket(school)
    socket.comm.future.cancel()
    # then it leaves nothing behind within a second
    await socket.gone_within()
    # and the application ends as cancelled (its cleanup may still be finishing on a busy
    # machine: waited for, not assumed)
    await asyncio.wait({socket.comm.future}, timeout=5)
    assert socket.comm.future.cancelled()


# --- the flood through a real Daphne ---------------------------------------------------------


@pytest.fixture(scope="module")
def flood_daphne(django_db_setup: None, django_db_blocker: Any) -> Iterator[int]:
    # heartbeats every 0.2 s: a ghost would be refreshed many times over during the test
    with (
        django_db_blocker.unblock(),
        daphne(
            AVISO_PRESENCE_HEARTBEAT_SECONDS="0.2",
            AVISO_WS_RATE_BURST=str(FLOOD["AVISO_WS_RATE_BURST"]),
            AVISO_WS_RATE_PER_SECOND=str(FLOOD["AVISO_WS_RATE_PER_SECOND"]),
            AVISO_WS_FLOOD_STRIKES=str(FLOOD["AVISO_WS_FLOOD_STRIKES"]),
        ) as port,
    ):
        yield port


def _masked_text_frame(payload: bytes) -> bytes:
    """One client text frame; a zero mask leaves the payload as it is (still a masked frame)."""
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + b"\0\0\0\0" + payload


def _rude_client(port: int, tenant: Tenant, user: User) -> socket.socket:
    """A raw WebSocket client that completes the handshake, then only ever writes: it never
    reads the server's frames, so it never answers the closing handshake."""
    domain = domain_of(tenant)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /ws/ HTTP/1.1\r\n"
        f"Host: {domain}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: http://{domain}\r\n"
        f"Cookie: {settings.SESSION_COOKIE_NAME}={session_for(tenant, user)}\r\n\r\n"
    )
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn.sendall(request.encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += conn.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return conn


@pytest.mark.slow
async def test_a_flood_through_daphne_leaves_no_ghost(school: Tenant, flood_daphne: int) -> None:
    # given a client on a real Daphne that is counted online
    lisa = await new_user(school, Role.STUDENT)
    conn = await database_sync_to_async(_rude_client)(flood_daphne, school, lisa)
    try:
        assert await eventually(lambda: lisa.pk in presence_online_users(schema_name=SCHEMA), 5)
        assert open_sockets() == 1
        # when it sends a burst of frames, far over the limit, and never reads
        ping = json.dumps({"v": 1, "type": "ping"}).encode()
        flood = _masked_text_frame(ping) * 20_000  # a backlog of seconds for the old consumer
        await asyncio.get_running_loop().run_in_executor(None, conn.sendall, flood)
        sent = time.monotonic()
        # then, though the client never answered the close, it is gone from who is online and
        # from the open-socket figures within a second of the burst being in
        assert await eventually(
            lambda: lisa.pk not in presence_online_users(schema_name=SCHEMA), 1.0
        ), "the flooder is still shown online"
        assert open_sockets() == 0
        assert time.monotonic() - sent < 1.5
        # and no heartbeat brings it back (the ghost was refreshed by every beat)
        await asyncio.sleep(1.5)
        assert lisa.pk not in presence_online_users(schema_name=SCHEMA)
        assert open_sockets() == 0
    finally:
        conn.close()
