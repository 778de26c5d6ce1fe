"""The panel and /metrics count across real Daphne processes sharing Redis: sockets and
notifications on either process move the same figures, seen from either process."""

import asyncio
import http.client
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django_tenants.utils import tenant_context
from prometheus_client.parser import text_string_to_metric_families

from accounts.models import User
from accounts.roles import Role
from config.redis import redis_client, redis_key
from realtime.services import notify
from tenants.models import Tenant
from testing.client import open_operator_socket
from testing.notifications import TEST_MESSAGE
from tests.conftest import PUBLIC_DOMAIN, TEST_TENANTS
from tests.console.factories import make_operator, operator_session
from tests.factories import make_user
from tests.realtime.test_daphne import _hello, _next, _open
from tests.servers import daphne

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]
TOKEN = "daphne-scraper-token-77"
Monitor = dict[str, Any]
new_user = database_sync_to_async(make_user)


@pytest.fixture(scope="module")
def two_daphnes(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[int, int]]:
    env = {
        "AVISO_METRICS_TOKEN": TOKEN,
        "AVISO_MONITOR_SECONDS": "0.3",
        "AVISO_PRESENCE_HEARTBEAT_SECONDS": "1",
    }
    with (
        django_db_blocker.unblock(),
        daphne(None, **env) as first,
        daphne(None, **env) as second,
    ):
        yield first, second


def _scrape(port: int, token: str | None = TOKEN) -> tuple[int, dict[tuple[str, str], float]]:
    """GET /metrics on the operators' host of one process: (status, {(name, tenant): value})."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": PUBLIC_DOMAIN}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request("GET", "/metrics", headers=headers)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    found: dict[tuple[str, str], float] = {}
    if response.status == 200:
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                if set(sample.labels) == {"tenant"}:
                    found[(sample.name, sample.labels["tenant"])] = sample.value
    return response.status, found


async def _operator_socket(port: int) -> Any:
    def session() -> str:
        return operator_session(make_operator())

    key = await database_sync_to_async(session)()
    return await open_operator_socket(
        domain=PUBLIC_DOMAIN,
        port=port,
        session_key=key,
        cookie_name=settings.SESSION_COOKIE_NAME,
        max_size=2**22,
    )


def tenant_of(monitor: Monitor, slug: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in monitor["tenants"] if t["schema"] == slug)
    return found


async def monitor_until(ws: Any, check: Callable[[Monitor], bool], wait: float = 8) -> Monitor:
    deadline = time.monotonic() + wait
    while True:
        monitor: Monitor = (await _next(ws, "monitor"))["monitor"]
        if check(monitor):
            return monitor
        if time.monotonic() > deadline:
            raise AssertionError(json.dumps(monitor)[:2000])


async def scrape_until(
    port: int, check: Callable[[dict[tuple[str, str], float]], bool], wait: float = 8
) -> dict[tuple[str, str], float]:
    deadline = time.monotonic() + wait
    while True:
        status, found = await asyncio.to_thread(_scrape, port)
        assert status == 200
        if check(found) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


def _notify(tenant: Tenant, users: list[User]) -> None:
    with tenant_context(tenant):
        notify(
            recipients=users, kind=TEST_MESSAGE, params=TEST_MESSAGE.params(text="across processes")
        )


async def test_figures_are_shared_by_every_process(
    two_daphnes: tuple[int, int], school: Tenant, school_b: Tenant
) -> None:
    first, second = two_daphnes
    for slug, *_ in TEST_TENANTS:  # sockets of earlier tests left entries that lapse later
        redis_client().delete(redis_key("presence", slug))
    # an operator watches from the first process; /metrics is scraped from the second
    ops = await _operator_socket(first)
    before = await monitor_until(ops, lambda m: True)
    _, scraped_before = await asyncio.to_thread(_scrape, second)
    # when school_a's students connect, one to each process, and school_b's to the second
    lisa, tom = await new_user(school, Role.STUDENT), await new_user(school, Role.STUDENT)
    bea = await new_user(school_b, Role.STUDENT)
    on_first, on_second = await _open(first, school, lisa), await _open(second, school, tom)
    neighbour = await _open(second, school_b, bea)
    for ws in (on_first, on_second, neighbour):
        await _hello(ws)

    def connected(m: Monitor) -> bool:
        a, b = tenant_of(m, "school_a"), tenant_of(m, "school_b")
        return (a["sockets"], a["online_users"], b["sockets"]) == (2, 2, 1)

    await monitor_until(ops, connected)
    found = await scrape_until(second, lambda f: f.get(("aviso_ws_open_sockets", "school_a")) == 2)
    assert found[("aviso_ws_open_sockets", "school_a")] == 2
    assert found[("aviso_users_online", "school_b")] == 1

    # when both school_a students get a notification, delivered by both processes
    await database_sync_to_async(_notify)(school, [lisa, tom])
    for ws in (on_first, on_second):
        assert (await _next(ws, "notification"))["notification"]["data"]["title"]
    a_before = tenant_of(before, "school_a")

    def flowed(m: Monitor) -> bool:
        a = tenant_of(m, "school_a")
        return (
            sum(a["created"]) - sum(a_before["created"]) == 2
            and sum(a["delivered"]) - sum(a_before["delivered"]) == 2
            and a["latency_ms"]["count"] - a_before["latency_ms"]["count"] == 2
        )

    monitor = await monitor_until(ops, flowed)
    assert sum(tenant_of(monitor, "school_b")["delivered"]) == sum(
        tenant_of(before, "school_b")["delivered"]
    )
    key = ("aviso_notifications_delivered_total", "school_a")
    found = await scrape_until(second, lambda f: f.get(key, 0) - scraped_before.get(key, 0) == 2)
    assert found[key] - scraped_before.get(key, 0) == 2
    created = ("aviso_notifications_created_total", "school_a")
    assert found[created] - scraped_before.get(created, 0) == 2

    # when the socket on the second process closes, the first process's operator sees it
    await on_second.close()
    await monitor_until(ops, lambda m: tenant_of(m, "school_a")["sockets"] == 1)
    for ws in (on_first, neighbour, ops):
        await ws.close()


async def test_metrics_over_http_need_the_token(two_daphnes: tuple[int, int]) -> None:
    for token in (None, "not-the-token"):
        status, found = await asyncio.to_thread(_scrape, two_daphnes[0], token)
        assert status == 401 and not found
