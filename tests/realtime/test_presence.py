"""Presence: who of a tenant has a live socket, across processes, per tenant; entries of a
process that died lapse by themselves."""

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async

from accounts.models import User
from accounts.roles import Role
from config.daphne_cmd import daphne_command
from config.redis import redis_client, redis_key
from realtime.presence import (
    presence_counts,
    presence_leave,
    presence_online_users,
    presence_touch,
)
from tenants.models import Tenant
from testing.servers import LOGS, ROOT, free_port, server_env, wait_for_port
from tests.conftest import TEST_TENANTS
from tests.factories import make_user
from tests.realtime.helpers import communicator, start
from tests.realtime.test_daphne import _hello, _open

pytestmark = pytest.mark.usefixtures("live_db")
new_user = database_sync_to_async(make_user)


@pytest.fixture(autouse=True)
def _fresh_presence() -> None:
    """User ids restart with each test (tables are truncated): an entry left by an earlier
    test's socket (it lapses only after its TTL) could carry the same id as this test's user."""
    for slug, *_ in TEST_TENANTS:
        redis_client().delete(redis_key("presence", slug))


async def eventually(check: Callable[[], bool], seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


def test_presence_is_per_tenant_even_for_equal_user_ids(settings: Any) -> None:
    settings.AVISO_PRESENCE_TTL_SECONDS = 30
    # user ids are per schema: id 7 of one tenant and id 7 of another are different people
    # (schemas no socket of another test uses, so only this test's entries exist)
    presence_touch(schema_name="presence_a", user_id=7, channel="c1")
    presence_touch(schema_name="presence_a", user_id=7, channel="c2")
    presence_touch(schema_name="presence_a", user_id=8, channel="c3")
    presence_touch(schema_name="presence_b", user_id=7, channel="c4")
    try:
        assert presence_online_users(schema_name="presence_a") == [7, 8]
        assert presence_online_users(schema_name="presence_b") == [7]
        assert presence_online_users(schema_name="presence_c") == []
        counts = presence_counts(schema_names=["presence_a", "presence_b", "presence_c"])
        assert counts == {"presence_a": (3, 2), "presence_b": (1, 1), "presence_c": (0, 0)}
        # one of two tabs closing keeps the user online; the second closing does not
        presence_leave(schema_name="presence_a", user_id=7, channel="c1")
        assert presence_online_users(schema_name="presence_a") == [7, 8]
        presence_leave(schema_name="presence_a", user_id=7, channel="c2")
        assert presence_online_users(schema_name="presence_a") == [8]
    finally:
        for schema, user, channel in (("presence_a", 8, "c3"), ("presence_b", 7, "c4")):
            presence_leave(schema_name=schema, user_id=user, channel=channel)


def test_an_entry_nobody_refreshes_lapses(settings: Any) -> None:
    settings.AVISO_PRESENCE_TTL_SECONDS = 0.3
    presence_touch(schema_name="presence_d", user_id=3, channel="gone")
    assert presence_online_users(schema_name="presence_d") == [3]
    time.sleep(0.4)
    assert presence_online_users(schema_name="presence_d") == []


async def test_a_socket_is_present_while_open_and_gone_when_closed(
    school: Tenant, school_b: Tenant
) -> None:
    lisa = await new_user(school, Role.ADMINISTRATOR)
    comm = await communicator(school, lisa)
    await start(comm)
    assert await eventually(lambda: lisa.pk in presence_online_users(schema_name="school_a"))
    assert lisa.pk not in presence_online_users(schema_name="school_b")
    await comm.disconnect()
    # removed on disconnect, not after the TTL
    assert await eventually(lambda: lisa.pk not in presence_online_users(schema_name="school_a"), 1)


def _daphne(port: int, heartbeat: str) -> subprocess.Popen[bytes]:
    log = open(LOGS / f"daphne-{port}.log", "wb")  # noqa: SIM115
    command = daphne_command(port=port)
    env = server_env(AVISO_PRESENCE_HEARTBEAT_SECONDS=heartbeat)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    wait_for_port(port, process)
    return process


@pytest.mark.slow
async def test_users_of_a_process_that_died_drop_out_and_others_stay(
    school: Tenant, django_db_blocker: Any
) -> None:
    # given two Daphne processes whose sockets heartbeat every 0.3 s (present for 0.9 s)
    first_port, second_port = free_port(), free_port()
    with django_db_blocker.unblock():
        doomed, survivor = _daphne(first_port, "0.3"), _daphne(second_port, "0.3")
    try:
        lisa: User = await new_user(school, Role.ADMINISTRATOR)
        tom: User = await new_user(school, Role.STUDENT)
        on_doomed = await _open(first_port, school, lisa)
        on_survivor = await _open(second_port, school, tom)
        await _hello(on_doomed)
        await _hello(on_survivor)
        both = {lisa.pk, tom.pk}
        assert await eventually(lambda: both <= set(presence_online_users(schema_name="school_a")))
        # when the first process dies without running any disconnect handler
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=5)
        # then lisa drops out once her entry lapses, and tom, refreshed, stays well beyond it
        assert await eventually(
            lambda: lisa.pk not in presence_online_users(schema_name="school_a"), 3
        )
        await asyncio.sleep(1.5)
        assert tom.pk in presence_online_users(schema_name="school_a")
        await on_survivor.close()
        assert await eventually(
            lambda: tom.pk not in presence_online_users(schema_name="school_a"), 2
        )
    finally:
        for process in (doomed, survivor):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
