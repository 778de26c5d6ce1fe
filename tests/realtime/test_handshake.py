"""Who may open a socket: only a signed-in user, on an active tenant's own domain and Origin."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from accounts.roles import Role
from realtime import asgi as realtime_asgi
from tenants.models import Tenant, TenantStatus
from tenants.selectors import tenant_and_domains_for_host
from tests.factories import domain_of, make_user, session_for
from tests.realtime.helpers import communicator, start

pytestmark = pytest.mark.usefixtures("live_db")


async def test_signed_in_user_on_own_domain_connects(school: Tenant) -> None:
    student = await database_sync_to_async(make_user)(school, Role.STUDENT)
    comm = await communicator(school, student)
    ready, replayed = await start(comm)
    assert ready["v"] == 1 and ready["last_seq"] == 0 and ready["unread"] == 0
    assert replayed == []
    await comm.disconnect()


async def test_unknown_host_is_refused(school: Tenant) -> None:
    comm = await communicator(school, host="nobody.test", origin="http://nobody.test")
    connected, _ = await comm.connect()
    assert not connected


async def test_public_site_host_is_refused(school: Tenant) -> None:
    comm = await communicator(school, host="aviso.test", origin="http://aviso.test")
    connected, _ = await comm.connect()
    assert not connected


async def test_origin_of_another_tenant_is_refused(school: Tenant, school_b: Tenant) -> None:
    student = await database_sync_to_async(make_user)(school, Role.STUDENT)
    comm = await communicator(school, student, origin="http://beta-school.test")
    connected, _ = await comm.connect()
    assert not connected


async def test_missing_origin_is_refused(school: Tenant) -> None:
    student = await database_sync_to_async(make_user)(school, Role.STUDENT)
    comm = await communicator(school, student, origin=None)
    connected, _ = await comm.connect()
    assert not connected


async def test_lookalike_origin_is_refused(school: Tenant) -> None:
    student = await database_sync_to_async(make_user)(school, Role.STUDENT)
    comm = await communicator(school, student, origin="http://alpha-school.test.evil.test")
    connected, _ = await comm.connect()
    assert not connected


async def test_without_session_the_socket_closes_4401(school: Tenant) -> None:
    comm = await communicator(school)
    connected, _ = await comm.connect()
    assert connected
    closed = await comm.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4401}
    await comm.disconnect()  # the client's side of the close: the application ends now


async def test_session_of_another_tenant_is_not_a_login_here(
    school: Tenant, school_b: Tenant
) -> None:
    # a real session in school_b, presented to school_a's socket
    other = await database_sync_to_async(make_user)(school_b, Role.STUDENT)
    key = await database_sync_to_async(session_for)(school_b, other)
    comm = await communicator(school, session_key=key)
    connected, _ = await comm.connect()
    assert connected
    assert await comm.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}
    await comm.disconnect()


async def test_suspended_tenant_is_refused(school: Tenant) -> None:
    student = await database_sync_to_async(make_user)(school, Role.STUDENT)
    await database_sync_to_async(Tenant.objects.filter(pk=school.pk).update)(
        status=TenantStatus.SUSPENDED
    )
    try:
        comm = await communicator(school, student)
        connected, _ = await comm.connect()
        assert not connected
    finally:
        await database_sync_to_async(Tenant.objects.filter(pk=school.pk).update)(
            status=TenantStatus.ACTIVE
        )


async def test_other_paths_are_refused(school: Tenant) -> None:
    student = await database_sync_to_async(make_user)(school, Role.STUDENT)
    comm = await communicator(school, student, path="/ws/admin/")
    connected, _ = await comm.connect()
    assert not connected


async def test_sockets_open_while_the_shared_sync_thread_is_busy(
    school: Tenant, school_b: Tenant
) -> None:
    """Given the thread Django's sync code shares (it runs the process's HTTP views) stuck in
    a slow page, when students of two schools open their sockets and say hello, then both are
    ready before that page ends: a socket's frames never wait in line for that thread."""
    student = await database_sync_to_async(make_user)(school, Role.STUDENT)
    other = await database_sync_to_async(make_user)(school_b, Role.STUDENT)
    comms = [await communicator(school, student), await communicator(school_b, other)]
    page_may_end = threading.Event()
    slow_page = asyncio.ensure_future(sync_to_async(page_may_end.wait)())
    try:
        for comm in comms:
            ready, _ = await start(comm)
            assert ready["type"] == "ready" and ready["last_seq"] == 0
        assert not slow_page.done()
    finally:
        page_may_end.set()
        await slow_page
    for comm in comms:
        await comm.disconnect()


async def test_a_storm_of_handshakes_looks_each_host_up_once(
    school: Tenant, school_b: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a fresh process (nothing remembered) that counts its tenant-registry lookups,
    when 40 handshakes for two schools' hosts arrive at once, then each host is looked up
    once, every handshake gets its own school, and a registry change in the middle of a
    lookup keeps its (possibly stale) answer out of the memory."""
    hosts = {
        school.schema_name: await database_sync_to_async(domain_of)(school),
        school_b.schema_name: await database_sync_to_async(domain_of)(school_b),
    }
    looked_up: list[str] = []
    under_way = threading.Event()

    def counting(*, host: str) -> tuple[Tenant | None, list[str]]:
        looked_up.append(host)
        under_way.set()
        return tenant_and_domains_for_host(host=host)

    monkeypatch.setattr(realtime_asgi, "tenant_and_domains_for_host", counting)
    realtime_asgi.forget_known_hosts()
    answers = await asyncio.gather(
        *(realtime_asgi.tenant_for_socket(hosts[s]) for s in list(hosts) * 20)
    )
    assert sorted(looked_up) == sorted(hosts.values())
    assert [t.schema_name for t, _ in answers if t] == list(hosts) * 20
    # and a lookup overtaken by a registry change answers its caller but is not remembered
    realtime_asgi.forget_known_hosts()
    under_way.clear()
    racing = asyncio.ensure_future(realtime_asgi.tenant_for_socket(hosts[school.schema_name]))
    assert await asyncio.to_thread(under_way.wait, 5)
    realtime_asgi.forget_known_hosts()
    tenant, _ = await racing
    assert tenant is not None and tenant.schema_name == school.schema_name
    await realtime_asgi.tenant_for_socket(hosts[school.schema_name])
    assert looked_up.count(hosts[school.schema_name]) == 3
