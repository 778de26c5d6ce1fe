"""Redis dies and comes back empty in the middle of a stream of notifications: every recipient
still sees each notification exactly once, in order, with no help from the user."""

import asyncio
import time

import pytest
from django.test import override_settings

from accounts.roles import Role
from tenants.models import Tenant
from tests.faults.helpers import (
    assert_exactly_once,
    channel_layers_on,
    client,
    notify_each,
    person,
)
from tests.faults.procs import Daphne, RedisServer

pytestmark = [
    pytest.mark.usefixtures("live_db"),
    pytest.mark.slow,
    # Redis dies under open sockets on purpose: the hub logs losing it (with the reason).
    pytest.mark.server_tracebacks(reason="Redis is killed under open sockets"),
]

ROUNDS = 90
OUTAGE = 2.0  # seconds


async def test_redis_restart_mid_stream_loses_and_duplicates_nothing(
    school: Tenant, school_b: Tenant
) -> None:
    # given a private Redis (memory only: a restart forgets groups and queued messages), two
    # Daphne processes on it that re-check the database every second (30 s in production)
    redis = RedisServer()
    daphnes = [Daphne(REDIS_URL=redis.url, AVISO_WS_RESYNC_SECONDS="1") for _ in range(2)]
    clients = []
    try:
        redis.start()
        for d in daphnes:
            await asyncio.to_thread(d.start)
        ports = [d.port for d in daphnes]
        # and three students of one school and one of another, each with a page open; one
        # student has a second tab, served by the other process
        a = [await person(school, Role.STUDENT) for _ in range(3)]
        b = await person(school_b, Role.STUDENT)
        pages = {
            "a0": client(a[0], ports, name="a0"),
            "a0-tab2": client(a[0], ports[::-1], name="a0-tab2"),
            "a1": client(a[1], ports[::-1], name="a1"),
            "a2": client(a[2], ports, name="a2"),
            "b0": client(b, ports[::-1], name="b0"),
        }
        clients = list(pages.values())
        for c in clients:
            c.start()
        for c in clients:
            await c.wait_connected()

        with override_settings(CHANNEL_LAYERS=channel_layers_on(redis.url)):
            # when notifications keep being committed while Redis is down for 2 seconds
            down_since: float | None = None
            for i in range(1, ROUNDS + 1):
                await notify_each(school, [u for u, *_ in a], f"round {i}")
                await notify_each(school_b, [b[0]], f"round {i}")
                if i == ROUNDS // 3:
                    await asyncio.to_thread(redis.kill)
                    down_since = time.monotonic()
                elif down_since and (time.monotonic() - down_since > OUTAGE or i == ROUNDS - 5):
                    await asyncio.to_thread(redis.start)
                    down_since = None
                await asyncio.sleep(0.03)
            assert redis.running

            # then every page ends up with 1..ROUNDS, each once, without being told to reconnect
            for c in clients:
                await c.wait_for_seq(ROUNDS, within=20)
            # and a notification after the storm is live again (not just caught up)
            await notify_each(school, [u for u, *_ in a], "after")
            for c in clients:
                if c.name != "b0":
                    await c.wait_for_seq(ROUNDS + 1, within=5)
        for c in clients:
            assert_exactly_once(c, ROUNDS if c.name == "b0" else ROUNDS + 1)
            # and the outage did not even end their sockets: each process's hub reconnected to
            # Redis on its own and filled the gap from the database (with the channel layer,
            # every socket died with 1011 and had to reconnect)
            assert c.record.opened == 1 and c.record.closes == [], c.record
    finally:
        for c in clients:
            await c.stop()
        for d in daphnes:
            await asyncio.to_thread(d.stop)
        redis.stop()
