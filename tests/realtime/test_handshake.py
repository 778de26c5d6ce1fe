"""Who may open a socket: only a signed-in user, on an active tenant's own domain and Origin."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from accounts.roles import Role
from tenants.models import Tenant, TenantStatus
from tests.factories import make_user, session_for
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
