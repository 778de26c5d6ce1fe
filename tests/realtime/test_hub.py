"""The per-process hub: one message per notify whatever the number of recipients, idle sockets
that cost no query each, and a tenant registry cache that never outlives a suspension."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime import socket_queries
from realtime.hub import redis_for_hub, tenant_channel
from realtime.services import notify
from tenants.models import Tenant, TenantStatus
from tenants.services import tenant_set_status
from testing.notifications import TEST_MESSAGE, TestMessageParams
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, start

pytestmark = pytest.mark.usefixtures("live_db")
new_user = database_sync_to_async(make_user)


def _notify_all(tenant: Tenant, users: list[User], text: str) -> None:
    with tenant_context(tenant):
        notify(recipients=users, kind=TEST_MESSAGE, params=TestMessageParams(text=text))


notify_all = database_sync_to_async(_notify_all)


async def test_an_announcement_to_many_is_one_message_and_each_socket_gets_its_own_copy(
    school: Tenant, school_b: Tenant
) -> None:
    # given 30 students of a school with a page open, and one of another school
    students = [await new_user(school, Role.STUDENT) for _ in range(30)]
    outsider = await new_user(school_b, Role.STUDENT)
    sockets = [await communicator(school, s) for s in students]
    other = await communicator(school_b, outsider)
    for comm in [*sockets, other]:
        await start(comm)
    wire = redis_for_hub().pubsub()
    await wire.subscribe(tenant_channel(school.schema_name))
    assert (await wire.get_message(timeout=3))["type"] == "subscribe"
    # when the school announces something to all of them
    await notify_all(school, students, "school closes at noon")
    # then one message went over Redis for all 30
    message = await wire.get_message(ignore_subscribe_messages=True, timeout=3)
    assert message is not None
    assert len(json.loads(message["data"])["m"]) == 1
    assert await wire.get_message(ignore_subscribe_messages=True, timeout=0.3) is None
    # and every student's page shows it once, as their own first notification
    for comm in sockets:
        frame = await receive(comm)
        assert frame["notification"]["seq"] == 1
        assert frame["notification"]["data"]["title"] == "school closes at noon"
        assert await comm.receive_nothing(timeout=0.05)
    # and the other school's student got nothing
    assert await other.receive_nothing(timeout=0.3)
    await wire.aclose()
    for comm in [*sockets, other]:
        await comm.disconnect()


@pytest.fixture
def cursor_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Every cursor-check query the hub makes: (schema, how many users it asked about)."""
    calls: list[tuple[str, int]] = []
    real = socket_queries.inbox_last_seqs

    def counted(*, user_ids: list[int]) -> dict[int, int]:
        from tenants.db import current_schema_name

        calls.append((current_schema_name(), len(user_ids)))
        return real(user_ids=user_ids)

    monkeypatch.setattr(socket_queries, "inbox_last_seqs", counted)
    yield calls


async def test_idle_sockets_cost_one_query_per_tenant_not_one_per_socket(
    school: Tenant, school_b: Tenant, cursor_checks: list[tuple[str, int]]
) -> None:
    # given 12 open pages in one school and 3 in another, checked every 0.2 s
    with override_settings(AVISO_WS_RESYNC_SECONDS=0.2):
        people = [(school, await new_user(school, Role.STUDENT)) for _ in range(12)]
        people += [(school_b, await new_user(school_b, Role.STUDENT)) for _ in range(3)]
        sockets = [await communicator(tenant, user) for tenant, user in people]
        for comm in sockets:
            await start(comm)
        cursor_checks.clear()
        # when they sit idle for a second
        await asyncio.sleep(1.0)
    # then each check was one query per school, each asking about all its pages' users
    assert cursor_checks, "no cursor check ran"
    per_round = {schema: users for schema, users in cursor_checks}
    assert per_round == {school.schema_name: 12, school_b.schema_name: 3}
    rounds = len(cursor_checks) / 2
    assert 3 <= rounds <= 6, cursor_checks
    for comm in sockets:
        await comm.disconnect()


async def test_a_copy_redis_lost_reaches_every_open_page_through_the_check(
    school: Tenant, cursor_checks: list[tuple[str, int]]
) -> None:
    # given 5 students with a page open, checked every 0.2 s
    students = [await new_user(school, Role.STUDENT) for _ in range(5)]
    with override_settings(AVISO_WS_RESYNC_SECONDS=0.2):
        sockets = [await communicator(school, s) for s in students]
        for comm in sockets:
            await start(comm)
        # when an announcement is committed but its live copy never reaches Redis
        dead: dict[str, Any] = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0"}]},
            }
        }
        with override_settings(CHANNEL_LAYERS=dead):
            await notify_all(school, students, "sent while Redis was away")
        # then every page still shows it, from the database, within a check or two
        for comm in sockets:
            frame = await receive(comm, wait=3)
            assert frame["notification"]["data"]["title"] == "sent while Redis was away"
    for comm in sockets:
        await comm.disconnect()


async def test_a_suspension_refuses_the_next_handshake_though_the_host_was_remembered(
    school: Tenant,
) -> None:
    # given a school whose host this process has just seen (a socket opened and closed)
    student = await new_user(school, Role.STUDENT)
    comm = await communicator(school, student)
    await start(comm)
    await comm.disconnect()
    # when an operator suspends the school
    await database_sync_to_async(tenant_set_status)(tenant=school, status=TenantStatus.SUSPENDED)
    try:
        # then the very next page's socket is refused
        comm = await communicator(school, student)
        connected, _ = await comm.connect()
        assert not connected
    finally:
        await database_sync_to_async(tenant_set_status)(tenant=school, status=TenantStatus.ACTIVE)
    # and once reactivated it is served again
    comm = await communicator(school, student)
    await start(comm)
    await comm.disconnect()
