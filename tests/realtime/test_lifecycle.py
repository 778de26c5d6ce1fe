"""Sockets end when the session behind them ends (logout) or the tenant is suspended."""

import pytest
from channels.db import database_sync_to_async
from django_tenants.utils import tenant_context

from accounts.roles import Role
from realtime.sessions import session_ended
from tenants.models import Tenant, TenantStatus
from tenants.services import tenant_set_status
from tests.factories import client_for, make_user, session_for
from tests.realtime.helpers import communicator, start

pytestmark = pytest.mark.usefixtures("live_db")
new_user = database_sync_to_async(make_user)


async def test_logging_out_closes_that_sessions_sockets_only(school: Tenant) -> None:
    # given a student signed in on a laptop (HTTP session) and on a phone (another session)
    lisa = await new_user(school, Role.STUDENT)
    browser = await database_sync_to_async(client_for)(school, lisa)
    laptop_key = browser.cookies["sessionid"].value
    laptop = await communicator(school, session_key=laptop_key)
    phone = await communicator(school, lisa)
    await start(laptop)
    await start(phone)
    # when she signs out on the laptop through the real logout page
    response = await database_sync_to_async(browser.post)("/accounts/logout/")
    assert response.status_code == 302
    # then the laptop socket closes with 4401 and the phone keeps its socket
    assert await laptop.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}
    assert await phone.receive_nothing(timeout=0.5)
    await phone.disconnect()


async def test_a_forged_session_ended_for_a_live_session_does_not_close_it(school: Tenant) -> None:
    lisa = await new_user(school, Role.STUDENT)
    key = await database_sync_to_async(session_for)(school, lisa)
    comm = await communicator(school, session_key=key)
    await start(comm)

    def announce() -> None:
        with tenant_context(school):
            session_ended(user_id=lisa.pk, session_key=key)

    await database_sync_to_async(announce)()
    assert await comm.receive_nothing(timeout=0.5)
    await comm.disconnect()


async def test_suspending_a_tenant_closes_its_sockets_not_others(
    school: Tenant, school_b: Tenant
) -> None:
    lisa = await new_user(school, Role.STUDENT)
    other = await new_user(school_b, Role.STUDENT)
    mine, theirs = await communicator(school, lisa), await communicator(school_b, other)
    await start(mine)
    await start(theirs)
    suspend = database_sync_to_async(tenant_set_status)
    await suspend(tenant=school, status=TenantStatus.SUSPENDED)
    try:
        assert await mine.receive_output(timeout=3) == {"type": "websocket.close", "code": 4423}
        assert await theirs.receive_nothing(timeout=0.5)
    finally:
        await suspend(tenant=school, status=TenantStatus.ACTIVE)
    await theirs.disconnect()
