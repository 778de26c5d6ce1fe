"""A page whose device was offline for minutes catches up by itself: everything it missed,
once each and in order, then live ones, even while new notifications keep arriving during
its replay."""

import asyncio
from datetime import datetime, timedelta

import pytest
from channels.db import database_sync_to_async
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.models import Notification
from realtime.services import notify
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE, TestMessageParams
from tests.faults.helpers import assert_exactly_once, client, notify_each, person
from tests.faults.procs import Daphne

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

BEFORE = 3
WHILE_OFFLINE = 450  # more than two replay pages (200 each)
DURING_REPLAY = 30
OFFLINE_FOR = timedelta(minutes=12)


def _offline_backlog(tenant: Tenant, user: User, other: Tenant, stranger: User) -> datetime:
    """What piles up during the outage: notifications committed one by one, then backdated
    so their created_at spreads over the last 12 minutes, as if they had been made over that
    time. Returns when the outage began."""
    began = timezone.now() - OFFLINE_FOR
    step = OFFLINE_FOR / WHILE_OFFLINE
    with tenant_context(tenant):
        for i in range(WHILE_OFFLINE):
            notify(
                recipients=[user], kind=TEST_MESSAGE, params=TestMessageParams(text=f"offline {i}")
            )
        backlog = Notification.objects.filter(recipient=user, seq__gt=BEFORE)
        for n in backlog:
            n.created_at = began + step * (n.seq - BEFORE)
        Notification.objects.bulk_update(backlog, ["created_at"])
        # and they read a few of them on their phone meanwhile
        Notification.objects.filter(recipient=user, seq__lte=BEFORE + 10).update(
            read_at=F("created_at")
        )
    with tenant_context(other):
        for i in range(20):
            notify(
                recipients=[stranger],
                kind=TEST_MESSAGE,
                params=TestMessageParams(text=f"other {i}"),
            )
    return began


async def test_a_page_offline_for_minutes_catches_up_exactly_once_by_itself(
    school: Tenant, school_b: Tenant
) -> None:
    """Simulated: the device's "minutes offline" is a TCP connection cut without a close frame
    (what a lost network looks like to the server) and a backlog whose timestamps are
    backdated over 12 minutes; the test does not sleep for minutes. Nothing on the server
    depends on the wall-clock length of the outage (replay is by seq from the database; the
    channel layer's 60 s message expiry only drops live copies, which replay covers)."""
    server = Daphne()
    page = None
    try:
        await asyncio.to_thread(server.start)
        lisa = await person(school, Role.STUDENT)
        stranger = await person(school_b, Role.STUDENT)
        # given Lisa's page is open and has seen three notifications
        page = client(lisa, [server.port], name="lisa").start()
        await page.wait_connected()
        await notify_each(school, [lisa[0]] * BEFORE, "before")
        await page.wait_for_seq(BEFORE, within=5)

        # when her network drops and 450 notifications pile up over "12 minutes"
        await page.go_offline()
        began = await database_sync_to_async(_offline_backlog)(
            school, lisa[0], school_b, stranger[0]
        )

        # and the network comes back while the school keeps sending new ones
        page.go_online()
        for i in range(DURING_REPLAY):
            await notify_each(school, [lisa[0]], f"during replay {i}")
            await asyncio.sleep(0.005)

        # then the page (re)connected by itself and has everything, once each, in order
        total = BEFORE + WHILE_OFFLINE + DURING_REPLAY
        await page.wait_for_seq(total, within=20)
        await asyncio.sleep(0.3)
        assert_exactly_once(page, total)
        assert page.record.opened == 2 and page.record.closes == [1006]
        # with the backlog's own timestamps and read state, not the reconnect's
        backlog = page.record.notifications[BEFORE : BEFORE + WHILE_OFFLINE]
        stamps = [datetime.fromisoformat(n["created_at"]) for n in backlog]
        assert stamps == sorted(stamps) and stamps[0] - began < timedelta(seconds=5)
        assert [n["read"] for n in backlog[:10]] == [True] * 10
        assert not any(n["read"] for n in backlog[10:])
        # and nothing of the other school's student
        assert {n["data"]["title"].split()[0] for n in page.record.notifications} == {
            "before",
            "offline",
            "during",
        }
        # and the socket is live again afterwards
        await notify_each(school, [lisa[0]], "live again")
        await page.wait_for_seq(total + 1, within=5)
    finally:
        if page is not None:
            await page.stop()
        await asyncio.to_thread(server.stop)
