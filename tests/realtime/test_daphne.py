"""The real thing: Daphne processes sharing Redis, real WebSocket clients over TCP."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings
from django_tenants.utils import tenant_context
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts.models import User
from accounts.roles import Role
from realtime.services import notify
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE, TestMessageParams
from testing.servers import daphne
from tests.factories import domain_of, make_user, session_for

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]


@pytest.fixture(scope="module")
def two_daphnes(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[int, int]]:
    with django_db_blocker.unblock(), daphne() as first, daphne() as second:
        yield first, second


def _client_headers(tenant: Tenant, user: User) -> dict[str, str]:
    domain = domain_of(tenant)
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_for(tenant, user)}",
        "Origin": f"http://{domain}",
        "Host": domain,
    }


def _connect(port: int, headers: dict[str, str]) -> Any:
    """A real client on loopback, naming the tenant's domain in Host as a browser would."""
    host = headers["Host"]
    extra = {k: v for k, v in headers.items() if k != "Host"}
    return websockets.connect(
        f"ws://{host}:{port}/ws/",
        host="127.0.0.1",
        port=port,
        additional_headers=extra,
        open_timeout=10,
        max_size=2**20,
    )


async def _open(port: int, tenant: Tenant, user: User, **overrides: str) -> Any:
    headers = await database_sync_to_async(_client_headers)(tenant, user)
    headers.update(overrides)
    return await _connect(port, headers)


async def _hello(ws: Any, last_seq: int = 0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    await ws.send(json.dumps({"v": 1, "type": "hello", "last_seq": last_seq}))
    replayed: list[dict[str, Any]] = []
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if frame["type"] == "ready":
            return frame, replayed
        replayed.append(frame["notification"])


async def _next(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if frame["type"] == kind:
            return frame


def _notify(tenant: Tenant, user: User, title: str) -> None:
    with tenant_context(tenant):
        notify(recipients=[user], kind=TEST_MESSAGE, params=TestMessageParams(text=title))


new_user = database_sync_to_async(make_user)
notify_in = database_sync_to_async(_notify)


async def test_notification_reaches_clients_on_both_daphne_processes(
    two_daphnes: tuple[int, int], school: Tenant
) -> None:
    first, second = two_daphnes
    lisa = await new_user(school, Role.STUDENT)
    on_first, on_second = await _open(first, school, lisa), await _open(second, school, lisa)
    await _hello(on_first)
    await _hello(on_second)
    await notify_in(school, lisa, "via Redis")
    for ws in (on_first, on_second):
        assert (await _next(ws, "notification"))["notification"]["data"]["title"] == "via Redis"
    # a change made through the first process (mark all read) reaches the socket on the second
    await on_first.send(json.dumps({"v": 1, "type": "mark_all_read"}))
    assert (await _next(on_second, "unread"))["unread"] == 0
    await on_first.close()
    await on_second.close()


async def test_real_client_reconnects_and_replays(
    two_daphnes: tuple[int, int], school: Tenant
) -> None:
    first, second = two_daphnes
    lisa = await new_user(school, Role.STUDENT)
    ws = await _open(first, school, lisa)
    await _hello(ws)
    await ws.close()
    for title in ("one", "two"):
        await notify_in(school, lisa, title)
    ws = await _open(second, school, lisa)
    _ready, replayed = await _hello(ws, last_seq=0)
    assert [n["data"]["title"] for n in replayed] == ["one", "two"]
    await ws.close()


async def test_cross_tenant_origin_is_refused_at_the_handshake(
    two_daphnes: tuple[int, int], school: Tenant, school_b: Tenant
) -> None:
    lisa = await new_user(school, Role.STUDENT)
    with pytest.raises(InvalidStatus) as refused:
        await _open(two_daphnes[0], school, lisa, Origin=f"http://{await _domain(school_b)}")
    assert refused.value.response.status_code == 403


async def _domain(tenant: Tenant) -> str:
    return await database_sync_to_async(domain_of)(tenant)


async def test_oversized_frames_end_the_socket_and_the_server_serves_others(
    two_daphnes: tuple[int, int], school: Tenant
) -> None:
    lisa = await new_user(school, Role.STUDENT)
    bystander = await _open(two_daphnes[0], school, lisa)
    await _hello(bystander)
    # over the protocol's 64 KiB: an error frame, then close 4413
    ws = await _open(two_daphnes[0], school, lisa)
    await _hello(ws)
    await ws.send("x" * 70000)
    assert (await _next(ws, "error"))["code"] == "too_large"
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4413
    # over Daphne's own 128 KiB cap the frame is never buffered: the connection is dropped
    huge = await _open(two_daphnes[0], school, lisa)
    await _hello(huge)
    await huge.send("x" * 300_000)
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(huge.recv(), 5)
    await bystander.send(json.dumps({"v": 1, "type": "ping"}))
    assert (await _next(bystander, "pong"))["type"] == "pong"
    await bystander.close()


async def test_fifty_real_sockets_alternating_tenants_see_only_their_own(
    two_daphnes: tuple[int, int], school: Tenant, school_b: Tenant
) -> None:
    def setup(tenant: Tenant) -> list[tuple[User, dict[str, str]]]:
        users = []
        for _ in range(25):
            user = make_user(tenant, Role.STUDENT)
            with tenant_context(tenant):
                notify(
                    recipients=[user],
                    kind=TEST_MESSAGE,
                    params=TestMessageParams(text=f"{tenant.schema_name}:{user.pk}"),
                )
            users.append((user, _client_headers(tenant, user)))
        return users

    a = await database_sync_to_async(setup)(school)
    b = await database_sync_to_async(setup)(school_b)
    plan = [(school, *x) for x in a] + [(school_b, *x) for x in b]
    plan = [plan[i // 2 + (i % 2) * 25] for i in range(50)]  # alternate tenants

    async def one(index: int) -> bool:
        tenant, user, headers = plan[index]
        port = two_daphnes[index % 2]
        ws = await _connect(port, headers)
        _, replayed = await _hello(ws)
        await ws.close()
        return [n["data"]["title"] for n in replayed] == [f"{tenant.schema_name}:{user.pk}"]

    results = await asyncio.gather(*(one(i) for i in range(50)))
    assert results.count(False) == 0, "a socket read another tenant's (or user's) rows"
