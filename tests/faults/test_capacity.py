"""A Daphne process hangs while a burst of notifications arrives: more live copies wait for it
than its hub holds (AVISO_HUB_CAPACITY), the hub drops the rest, and the sockets still get
every notification exactly once, in order, with no reconnect: the server fills what was
dropped from the database."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime import metrics
from realtime.services import notify
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE, TestMessageParams
from tests.faults.helpers import assert_exactly_once, client, person
from tests.faults.procs import Daphne

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

PER_USER = 300  # x 4 users = 1200 live copies for one process, over its capacity
# Small enough that the copies one read of the socket brings in overflow it (a process reads
# what waits for it in chunks, and dispatches between them).
CAPACITY = "100"


def _burst(tenant: Tenant, users: list[User]) -> None:
    """One import-like change: 1200 notifications committed at once, then published."""
    with tenant_context(tenant), transaction.atomic():
        for i in range(PER_USER):
            for user in users:
                notify(recipients=[user], kind=TEST_MESSAGE, params=TestMessageParams(text=f"n{i}"))


def _caught_up_from_db() -> int:
    totals = metrics.read_totals("metrics")
    return sum(totals.get(("school_a", name), 0) for name in metrics.WS_REPLAYS[1:])


async def test_live_copies_dropped_over_capacity_are_filled_from_the_database(
    school: Tenant, school_b: Tenant
) -> None:
    server = Daphne(AVISO_WS_RESYNC_SECONDS="1", AVISO_HUB_CAPACITY=CAPACITY)  # 30 s, 1000
    clients = []
    try:
        await asyncio.to_thread(server.start)
        # given four students of one school with a page open on one process, and a student
        # of another school on it too
        people = [await person(school, Role.STUDENT) for _ in range(4)]
        other = await person(school_b, Role.STUDENT)
        clients = [client(who, [server.port], name=f"p{i}") for i, who in enumerate(people)]
        clients.append(client(other, [server.port], name="other"))
        for c in clients:
            c.start()
        for c in clients:
            await c.wait_connected()
        before = await asyncio.to_thread(_caught_up_from_db)

        # when the process hangs while 1200 notifications for its sockets are published
        await asyncio.to_thread(server.freeze)
        try:
            await database_sync_to_async(_burst)(school, [u for u, *_ in people])
        finally:
            await asyncio.to_thread(server.thaw)

        # then each page gets all 300, once each, in order, on the socket it already had
        for c in clients[:4]:
            await c.wait_for_seq(PER_USER, within=30)
        await asyncio.sleep(0.5)
        for c in clients[:4]:
            assert_exactly_once(c, PER_USER)
            assert c.record.opened == 1 and c.record.closes == [], c.record
        # and some of them did come from the database, not Redis (the copies were dropped;
        # the server writes its figures within a couple of seconds)
        deadline = time.monotonic() + 5
        while await asyncio.to_thread(_caught_up_from_db) <= before:
            assert time.monotonic() < deadline, "no catch-up from the database was counted"
            await asyncio.sleep(0.2)
        # and the other school's student got nothing
        assert clients[4].record.processed == []
    finally:
        for c in clients:
            await c.stop()
        await asyncio.to_thread(server.stop)
