"""Under many concurrent sockets of two tenants sharing one DB thread, every read happens
in its own tenant's schema: no socket ever sees the other tenant's rows."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.services import notify
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE, TestMessageParams
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")

SOCKETS = 50
PER_USER = 3


def _users_with_notifications(tenant: Tenant, count: int) -> list[User]:
    """`count` students, each with PER_USER notifications that name their tenant."""
    users = [make_user(tenant, Role.STUDENT) for _ in range(count)]
    with tenant_context(tenant):
        for user in users:
            for n in range(PER_USER):
                notify(
                    recipients=[user],
                    kind=TEST_MESSAGE,
                    params=TestMessageParams(text=f"{tenant.schema_name}:{user.pk}:{n}"),
                )
    return users


async def test_fifty_concurrent_sockets_across_two_tenants_read_only_their_own(
    school: Tenant, school_b: Tenant
) -> None:
    # given 25 students in each school with the same user ids, each with 3 notifications
    setup = database_sync_to_async(_users_with_notifications)
    users_a = await setup(school, SOCKETS // 2)
    users_b = await setup(school_b, SOCKETS // 2)
    assert [u.pk for u in users_a] == [u.pk for u in users_b]
    pairs = [
        p
        for pair in zip(users_a, users_b, strict=True)
        for p in ((school, pair[0]), (school_b, pair[1]))
    ]
    # when all 50 connect and replay at once, then mark read and ask again, interleaved
    sockets = [await communicator(tenant, user) for tenant, user in pairs]

    async def session(index: int) -> list[str]:
        comm = sockets[index]
        _ready, replayed = await start(comm)
        titles = [n["data"]["title"] for n in replayed]
        await send(comm, type="mark_read", seq=1)
        unread = await receive(comm)
        while unread["type"] != "unread":
            unread = await receive(comm)
        titles.append(f"unread={unread['unread']}")
        await comm.disconnect()
        return titles

    results = await asyncio.gather(*(session(i) for i in range(SOCKETS)))
    # then every socket saw exactly its own user's rows, from its own tenant
    cross_tenant_reads = 0
    for (tenant, user), titles in zip(pairs, results, strict=True):
        expected = [f"{tenant.schema_name}:{user.pk}:{n}" for n in range(PER_USER)]
        cross_tenant_reads += sum(1 for t in titles[:-1] if not t.startswith(tenant.schema_name))
        assert titles[:-1] == expected
        assert titles[-1] == f"unread={PER_USER - 1}"
    assert cross_tenant_reads == 0
