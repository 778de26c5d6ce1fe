"""A Daphne process is SIGKILLed while pages are connected to it (a crash, an OOM kill): the
pages move to the other process by themselves and every recipient sees each notification
exactly once, in order."""

import asyncio

import pytest

from accounts.roles import Role
from tenants.models import Tenant
from tests.faults.helpers import assert_exactly_once, client, notify_each, person
from tests.faults.procs import Daphne

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

ROUNDS = 80


async def test_kill_9_of_either_daphne_loses_and_duplicates_nothing(
    school: Tenant, school_b: Tenant
) -> None:
    # given two Daphne processes behind a "load balancer" (each page knows both addresses)
    first, second = Daphne(), Daphne()
    clients = []
    restarts: list[asyncio.Task[object]] = []
    try:
        await asyncio.to_thread(first.start)
        await asyncio.to_thread(second.start)
        ports = [first.port, second.port]
        # and students of two schools with pages open, half of them on each process
        people = [await person(school, Role.STUDENT) for _ in range(4)]
        people.append(await person(school_b, Role.STUDENT))
        clients = [
            client(who, ports if i % 2 == 0 else ports[::-1], name=f"p{i}")
            for i, who in enumerate(people)
        ]
        for c in clients:
            c.start()
        for c in clients:
            await c.wait_connected()
        assert {c.record.ports[0] for c in clients} == set(ports)

        # when notifications keep coming while the first process is killed -9, brought back,
        # and then the second one is killed -9 too
        for i in range(1, ROUNDS + 1):
            await notify_each(school, [u for u, *_ in people[:4]], f"round {i}")
            await notify_each(school_b, [people[4][0]], f"round {i}")
            if i == ROUNDS // 4:
                await asyncio.to_thread(first.kill)
            if i == ROUNDS // 2:
                restarts.append(asyncio.create_task(asyncio.to_thread(first.start)))
            if i == 3 * ROUNDS // 4:
                await restarts.pop()
                await asyncio.to_thread(second.kill)
            await asyncio.sleep(0.02)

        # then every page has 1..ROUNDS exactly once
        for c in clients:
            await c.wait_for_seq(ROUNDS, within=20)
        for c in clients:
            assert_exactly_once(c, ROUNDS)
            # every page lost its process at least once and reconnected by itself
            assert 1006 in c.record.closes and c.record.opened >= 2, c.record
            assert c.record.ports[-1] == first.port
    finally:
        for c in clients:
            await c.stop()
        for task in restarts:
            await task
        for d in (first, second):
            await asyncio.to_thread(d.stop)
