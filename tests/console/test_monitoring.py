"""The operators' socket: only operators get it; its monitor figures move as tenants' sockets
open and close and notifications flow; provisioning progress is pushed, not polled; suspending
from the console closes the tenant's sockets within a second."""

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from accounts.models import User
from accounts.roles import Role
from config.redis import redis_client, redis_key
from console import monitor as console_monitor
from realtime.services import notify
from tenants.models import Domain, Tenant, TenantStatus
from tenants.services import tenant_create, tenant_provision
from testing.notifications import TEST_MESSAGE
from tests.conftest import TEST_TENANTS
from tests.console.factories import (
    console_client,
    make_operator,
    operator_communicator,
    operator_session,
)
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")
new_user = database_sync_to_async(make_user)
Monitor = dict[str, Any]


@pytest.fixture
def fast_monitor(settings: Any) -> None:
    settings.AVISO_MONITOR_SECONDS = 0.2
    settings.AVISO_OPERATOR_SESSION_CHECK_SECONDS = 0.2
    settings.AVISO_PRESENCE_HEARTBEAT_SECONDS = 0.2


@pytest.fixture
def fresh_presence() -> None:
    """Sockets of earlier tests died with their event loops and left presence entries that
    only lapse after their TTL; this test counts from a clean slate."""
    for slug, *_ in TEST_TENANTS:
        redis_client().delete(redis_key("presence", slug))


@pytest.fixture
def operator_key(django_db_blocker: Any) -> str:
    """A signed-in operator's session key. (live_db empties tenant schemas only: operators
    stay in the public schema until the test database is dropped; each has its own e-mail.)"""
    with django_db_blocker.unblock():
        return operator_session(make_operator())


def tenant_of(monitor: Monitor, slug: str) -> dict[str, Any]:
    tenant: dict[str, Any] = next(t for t in monitor["tenants"] if t["schema"] == slug)
    return tenant


async def next_frame(comm: WebsocketCommunicator, kind: str, wait: float = 3) -> dict[str, Any]:
    deadline = time.monotonic() + wait
    while True:
        frame = await receive(comm, wait=max(0.05, deadline - time.monotonic()))
        if frame["type"] == kind:
            return frame


async def monitor_until(
    comm: WebsocketCommunicator, check: Callable[[Monitor], bool], wait: float = 5
) -> Monitor:
    deadline = time.monotonic() + wait
    while True:
        await send(comm, type="refresh")
        monitor: Monitor = (await next_frame(comm, "monitor"))["monitor"]
        if check(monitor):
            return monitor
        if time.monotonic() > deadline:
            raise AssertionError(f"monitor never matched: {json.dumps(monitor)[:2000]}")
        await asyncio.sleep(0.1)


async def operator_socket(key: str) -> WebsocketCommunicator:
    ops = operator_communicator(key)
    connected, _ = await ops.connect(timeout=5)
    assert connected
    return ops


# --- who gets the operators' socket --------------------------------------------------------


async def test_operator_gets_the_monitor_on_connect(school: Tenant, operator_key: str) -> None:
    ops = await operator_socket(operator_key)
    monitor = (await next_frame(ops, "monitor"))["monitor"]
    slugs = {t["schema"] for t in monitor["tenants"]}
    assert {"school_a", "school_b", "clinic_a", "clinic_b"} <= slugs
    assert "public" not in slugs and "aviso_template" not in slugs
    assert "celery" in monitor["celery"]["queues"]
    await send(ops, type="ping")
    assert (await next_frame(ops, "pong"))["type"] == "pong"
    await ops.disconnect()


async def test_without_an_operator_session_the_socket_closes_4401(
    school: Tenant, django_db_blocker: Any
) -> None:
    def sessions() -> list[str | None]:
        with django_db_blocker.unblock():
            # a public user who is no operator, a demoted operator, and a school's administrator
            keys: list[str | None] = [
                operator_session(make_operator(role=Role.ADMINISTRATOR)),
                operator_session(make_operator(is_staff=False)),
                None,
            ]
            admin = make_user(school, Role.ADMINISTRATOR)
            from tests.factories import session_for

            keys.append(session_for(school, admin))
            return keys

    for key in await database_sync_to_async(sessions)():
        comm = operator_communicator(key)
        connected, _ = await comm.connect(timeout=5)
        assert connected
        assert await comm.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}


async def test_operators_socket_refuses_foreign_origins_and_other_hosts(
    school: Tenant, operator_key: str
) -> None:
    for origin in ("http://alpha-school.test", "http://aviso.test.evil.test"):
        comm = operator_communicator(operator_key, origin=origin)
        connected, _ = await comm.connect(timeout=5)
        assert not connected, origin
    # the tenants' socket path on the operators' host, and the operators' path on a tenant host
    admin = await new_user(school, Role.ADMINISTRATOR)
    for comm in (
        operator_communicator(operator_key, path="/ws/"),
        await communicator(school, admin, path="/ws/operators/"),
    ):
        assert not (await comm.connect(timeout=5))[0]
        await comm.disconnect()  # ends the denying consumer's channel-layer wait


async def test_operator_socket_closes_when_the_session_ends(
    school: Tenant, operator_key: str, fast_monitor: None
) -> None:
    ops = await operator_socket(operator_key)
    await next_frame(ops, "monitor")

    def sign_out() -> None:
        with schema_context(get_public_schema_name()):
            Session.objects.filter(session_key=operator_key).delete()

    await database_sync_to_async(sign_out)()
    deadline = time.monotonic() + 3
    while True:
        output = await ops.receive_output(timeout=max(0.1, deadline - time.monotonic()))
        if output["type"] == "websocket.close":
            assert output["code"] == 4401
            break


async def test_operator_frames_are_checked_by_the_shared_parser(
    school: Tenant, operator_key: str
) -> None:
    ops = await operator_socket(operator_key)
    await next_frame(ops, "monitor")
    # a frame of another protocol version, a tenant-socket type, a watch without a slug
    for frame, code in (
        ({"v": 2, "type": "ping", "ref": "a"}, "bad_version"),
        ({"v": 1, "type": "hello", "last_seq": 0, "ref": "b"}, "unknown_type"),
        ({"v": 1, "type": "watch", "ref": "c"}, "bad_request"),
    ):
        await ops.send_to(text_data=json.dumps(frame))
        error = await next_frame(ops, "error")
        assert (error["code"], error["ref"]) == (code, frame["ref"])
    await ops.send_to(text_data="{not json")
    assert (await next_frame(ops, "error"))["code"] == "bad_json"
    await send(ops, type="ping")
    assert (await next_frame(ops, "pong"))["type"] == "pong"
    await ops.disconnect()


async def test_two_operator_sockets_share_one_snapshot_per_tick(
    school: Tenant, operator_key: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.AVISO_MONITOR_SECONDS = 0.3
    computed: list[str] = []
    compute = console_monitor.monitor_snapshot

    def counted(**kwargs: Any) -> console_monitor.Snapshot:
        snapshot = compute(**kwargs)
        computed.append(snapshot["at"])
        return snapshot

    monkeypatch.setattr(console_monitor, "monitor_snapshot", counted)
    # given two operators' sockets in this process
    first = await operator_socket(operator_key)
    second = await operator_socket(operator_key)
    # when a few ticks go by
    seen_by_first = [(await next_frame(first, "monitor"))["monitor"]["at"] for _ in range(4)]
    seen_by_second = [(await next_frame(second, "monitor"))["monitor"]["at"] for _ in range(3)]
    await first.disconnect()
    await second.disconnect()
    # then both got the same snapshots, each computed once (one more may be under way)
    assert set(seen_by_second) <= set(seen_by_first)
    assert set(seen_by_first) <= set(computed)
    assert len(computed) <= len(set(seen_by_first)) + 1


# --- the figures move ----------------------------------------------------------------------


def _notify(tenant: Tenant, users: list[User], title: str) -> None:
    with tenant_context(tenant):
        notify(recipients=users, kind=TEST_MESSAGE, params=TEST_MESSAGE.params(text=title))


async def test_figures_follow_sockets_and_notifications_per_tenant(
    school: Tenant, school_b: Tenant, operator_key: str, fast_monitor: None, fresh_presence: None
) -> None:
    ops = await operator_socket(operator_key)
    before = tenant_of(await monitor_until(ops, lambda m: True), "school_a")
    other_before = tenant_of(await monitor_until(ops, lambda m: True), "school_b")
    # when two students of school_a open sockets (one of them twice)
    lisa, tom = await new_user(school, Role.STUDENT), await new_user(school, Role.STUDENT)
    sockets = [await communicator(school, lisa), await communicator(school, lisa)]
    sockets.append(await communicator(school, tom))
    for comm in sockets:
        await start(comm)

    def three_sockets_two_people(m: Monitor) -> bool:
        a = tenant_of(m, "school_a")
        return a["sockets"] == 3 and a["online_users"] == 2

    monitor = await monitor_until(ops, three_sockets_two_people)
    # then school_b shows none of it
    assert tenant_of(monitor, "school_b")["sockets"] == 0
    assert tenant_of(monitor, "school_b")["online_users"] == 0

    # when a notification goes to both students
    await database_sync_to_async(_notify)(school, [lisa, tom], "Maths")
    for comm in sockets:
        assert (await next_frame(comm, "notification"))["notification"]["data"]["title"] == "Maths"

    def flowed(m: Monitor) -> bool:
        a = tenant_of(m, "school_a")
        return (
            sum(a["created"]) - sum(before["created"]) == 2
            and sum(a["delivered"]) - sum(before["delivered"]) == 3  # lisa has two tabs
            and a["latency_ms"]["count"] - before["latency_ms"]["count"] == 3
        )

    monitor = await monitor_until(ops, flowed)
    latency = tenant_of(monitor, "school_a")["latency_ms"]
    assert latency["p50"] is not None and latency["p99"] is not None
    assert latency["p50"] <= latency["p95"] <= latency["p99"] or latency["p99"] == -1
    b = tenant_of(monitor, "school_b")
    assert sum(b["created"]) == sum(other_before["created"])
    assert sum(b["delivered"]) == sum(other_before["delivered"])

    # when one of lisa's tabs and tom's socket close
    await sockets[0].disconnect()
    await sockets[2].disconnect()

    def one_left(m: Monitor) -> bool:
        a = tenant_of(m, "school_a")
        return a["sockets"] == 1 and a["online_users"] == 1

    await monitor_until(ops, one_left)
    # and a reconnect with last_seq 0 is a replay served
    replaying = await communicator(school, tom)
    _, replayed = await start(replaying)
    assert len(replayed) == 1
    await monitor_until(ops, lambda m: tenant_of(m, "school_a")["replays"] > before["replays"])
    await sockets[1].disconnect()
    await replaying.disconnect()
    await ops.disconnect()


async def test_refusals_are_counted_by_reason_for_their_tenant(
    school: Tenant, school_b: Tenant, operator_key: str, fast_monitor: None, settings: Any
) -> None:
    ops = await operator_socket(operator_key)
    # tenant sockets opened from now on have a tiny budget (the operator's keeps the default)
    settings.AVISO_WS_RATE_BURST = 3
    settings.AVISO_WS_RATE_PER_SECOND = 0.1
    start_figures = await monitor_until(ops, lambda m: True)
    before = tenant_of(start_figures, "school_a")["errors"]
    other = tenant_of(start_figures, "school_b")["errors"]
    lisa = await new_user(school, Role.STUDENT)
    # a page on another school's domain, a socket without a session, a flood, a huge frame
    refused = await communicator(school, lisa, origin="http://beta-school.test")
    assert not (await refused.connect(timeout=5))[0]
    anonymous = await communicator(school)
    await anonymous.connect(timeout=5)
    flooding = await communicator(school, lisa)
    await start(flooding)
    for _ in range(5):
        await send(flooding, type="ping")
    huge = await communicator(school, lisa)
    await start(huge)
    await huge.send_to(text_data="x" * 70000)

    def counted(m: Monitor) -> bool:
        errors = tenant_of(m, "school_a")["errors"]
        return all(
            errors.get(reason, 0) - before.get(reason, 0) >= 1
            for reason in ("bad_origin", "unauthenticated", "rate_limited", "oversized")
        )

    monitor = await monitor_until(ops, counted)
    assert tenant_of(monitor, "school_b")["errors"] == other
    await flooding.disconnect()
    await ops.disconnect()


# --- provisioning progress is pushed -------------------------------------------------------


def _onboard(slug: str, domain: str) -> None:
    # a DB thread may be left in any schema by earlier async tests: onboarding runs in public
    with schema_context(get_public_schema_name()):
        tenant = tenant_create(
            name="Mike School",
            slug=slug,
            kind="school",
            domains=[domain],
            admin_email=f"head@{domain}",
            provision_async=False,
        )
        tenant_provision(tenant=tenant)


def _drop(slug: str, domain: str) -> None:
    with schema_context(get_public_schema_name()):
        for leftover in Tenant.objects.filter(schema_name=slug):
            leftover.delete(force_drop=True)
        Domain.objects.filter(domain=domain).delete()


async def test_provisioning_steps_are_pushed_to_operators(
    school: Tenant, operator_key: str
) -> None:
    ops = await operator_socket(operator_key)
    try:
        await database_sync_to_async(_onboard)("mike_school", "mike.test")
        steps: list[dict[str, Any]] = []
        while not steps or steps[-1]["state"] != "done":
            frame = await next_frame(ops, "provisioning", wait=10)
            if frame["slug"] == "mike_school":
                steps.append(frame["progress"])
        percents = [s["percent"] for s in steps]
        assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100
        assert steps[0]["state"] == "queued"
        # each step is a code, for each operator's page to name in its own language
        assert [s["step"] for s in steps] == [
            "queued",
            "cloning",
            "site",
            "inviting",
            "ready",
        ]
        # a page opened afterwards asks for the state and gets it at once
        await send(ops, type="watch", slug="mike_school")
        frame = await next_frame(ops, "provisioning")
        assert frame["progress"]["state"] == "done" and frame["progress"]["step"] == "ready"
        await send(ops, type="watch", slug="never_heard_of")
        assert (await next_frame(ops, "provisioning"))["progress"] is None
    finally:
        await database_sync_to_async(_drop)("mike_school", "mike.test")
        await ops.disconnect()


async def test_tenant_sockets_never_get_provisioning_or_monitor_frames(
    school: Tenant, operator_key: str
) -> None:
    admin = await new_user(school, Role.ADMINISTRATOR)
    comm = await communicator(school, admin)
    await start(comm)
    try:
        await database_sync_to_async(_onboard)("november_school", "november.test")
        assert await comm.receive_nothing(timeout=0.5)
    finally:
        await database_sync_to_async(_drop)("november_school", "november.test")
    await comm.disconnect()


# --- suspension from the console -----------------------------------------------------------


async def test_suspending_in_the_console_closes_that_tenants_sockets_within_a_second(
    school: Tenant, school_b: Tenant, operator_key: str, django_db_blocker: Any
) -> None:
    lisa = await new_user(school, Role.STUDENT)
    other = await new_user(school_b, Role.STUDENT)
    mine, theirs = await communicator(school, lisa), await communicator(school_b, other)
    await start(mine)
    await start(theirs)
    ops = await operator_socket(operator_key)

    def post(action: str) -> int:
        with django_db_blocker.unblock():
            operator = make_operator()
            status: int = (
                console_client(operator)
                .post("/tenants/school_a/status/", {"action": action, "confirm": "on"})
                .status_code
            )
            return status

    assert await database_sync_to_async(post)("suspend") == 302
    try:
        started = time.monotonic()
        assert await mine.receive_output(timeout=1) == {"type": "websocket.close", "code": 4423}
        assert time.monotonic() - started < 1
        assert await theirs.receive_nothing(timeout=0.3)
        await monitor_until(ops, lambda m: tenant_of(m, "school_a")["status"] == "suspended")
    finally:
        assert await database_sync_to_async(post)("reactivate") == 302
    school_now = await database_sync_to_async(Tenant.objects.get)(schema_name="school_a")
    assert school_now.status == TenantStatus.ACTIVE
    await theirs.disconnect()
    await ops.disconnect()
