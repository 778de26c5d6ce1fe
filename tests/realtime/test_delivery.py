"""Notifications reach exactly their recipient's sockets, in order, live or replayed, and
survive a lost live copy (Redis down at publish time) without gaps or duplicates."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.services import notify
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE, TestMessageParams
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")

# A channel layer nobody listens on: sending to it fails the way a Redis outage does.
DEAD_LAYER = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 0.5}]},
    }
}


def _notify(tenant: Tenant, user: User, title: str) -> int:
    with tenant_context(tenant):
        (notification,) = notify(
            recipients=[user], kind=TEST_MESSAGE, params=TestMessageParams(text=title)
        )
        return notification.seq


notify_in = database_sync_to_async(_notify)
new_user = database_sync_to_async(make_user)


async def test_live_notification_reaches_its_recipient_only(
    school: Tenant, school_b: Tenant
) -> None:
    # given a student with a socket, a classmate with a socket, and a student of another school
    # whose user id is the same number
    lisa = await new_user(school, Role.STUDENT)
    bart = await new_user(school, Role.STUDENT)
    twin = await new_user(school_b, Role.STUDENT)
    while twin.pk < lisa.pk:
        twin = await new_user(school_b, Role.STUDENT)
    assert twin.pk == lisa.pk
    sockets = {
        name: await communicator(t, u)
        for name, t, u in [("lisa", school, lisa), ("bart", school, bart), ("twin", school_b, twin)]
    }
    for comm in sockets.values():
        await start(comm)
    # when a grade is published for Lisa
    await notify_in(school, lisa, "Maths: A")
    # then Lisa's socket gets it, with the documented shape
    frame = await receive(sockets["lisa"])
    assert frame["v"] == 1 and frame["type"] == "notification"
    notification = frame["notification"]
    assert set(notification) == {"seq", "type", "data", "created_at", "read"}
    assert notification["seq"] == 1 and notification["type"] == "test.message"
    assert notification["data"] == {"text": "Maths: A", "title": "Maths: A", "body": "", "url": ""}
    assert notification["read"] is False
    # and nobody else's socket gets anything
    assert await sockets["bart"].receive_nothing(timeout=0.5)
    assert await sockets["twin"].receive_nothing(timeout=0.1)
    for comm in sockets.values():
        await comm.disconnect()


async def test_reconnect_replays_what_was_missed_in_order(school: Tenant) -> None:
    # given a student who saw notification 1 and then went offline
    lisa = await new_user(school, Role.STUDENT)
    await notify_in(school, lisa, "first")
    comm = await communicator(school, lisa)
    _, replayed = await start(comm)
    assert [n["data"]["title"] for n in replayed] == ["first"]
    await comm.disconnect()
    # when three more arrive while offline
    for title in ("second", "third", "fourth"):
        await notify_in(school, lisa, title)
    # then reconnecting after seq 1 replays exactly those three, in order, then goes live
    comm = await communicator(school, lisa)
    ready, replayed = await start(comm, last_seq=1)
    assert [n["seq"] for n in replayed] == [2, 3, 4]
    assert [n["data"]["title"] for n in replayed] == ["second", "third", "fourth"]
    assert ready["last_seq"] == 4 and ready["unread"] == 4 and ready["replayed"] == 3
    await notify_in(school, lisa, "fifth")
    assert (await receive(comm))["notification"]["seq"] == 5
    await comm.disconnect()


async def test_days_offline_with_many_notifications_replays_all_of_them(school: Tenant) -> None:
    lisa = await new_user(school, Role.STUDENT)

    def many() -> None:
        with tenant_context(school):
            for i in range(450):  # more than two replay pages
                notify(recipients=[lisa], kind=TEST_MESSAGE, params=TestMessageParams(text=f"n{i}"))

    await database_sync_to_async(many)()
    comm = await communicator(school, lisa)
    ready, replayed = await start(comm, last_seq=0)
    assert [n["seq"] for n in replayed] == list(range(1, 451))
    assert ready["last_seq"] == 450
    await comm.disconnect()


async def test_notification_published_while_redis_is_down_arrives_by_resync(
    school: Tenant,
) -> None:
    # given a connected student whose socket checks the database every 0.3 s
    lisa = await new_user(school, Role.STUDENT)
    with override_settings(AVISO_WS_RESYNC_SECONDS=0.3):
        comm = await communicator(school, lisa)
        await start(comm)
    # when the live copy cannot be published (the channel layer is unreachable)
    with override_settings(CHANNEL_LAYERS=DEAD_LAYER):
        await notify_in(school, lisa, "sent while Redis was down")
    # then the socket still gets it, from the database
    frame = await receive(comm, wait=5)
    assert frame["notification"]["data"]["title"] == "sent while Redis was down"
    assert frame["notification"]["seq"] == 1
    await comm.disconnect()


async def test_a_lost_live_copy_is_filled_in_before_the_next_one(school: Tenant) -> None:
    # given a connected student (no periodic resync during this test)
    lisa = await new_user(school, Role.STUDENT)
    comm = await communicator(school, lisa)
    await start(comm)
    # when seq 1 is lost on the way and seq 2 arrives live
    with override_settings(CHANNEL_LAYERS=DEAD_LAYER):
        await notify_in(school, lisa, "lost")
    await notify_in(school, lisa, "live")
    # then the client receives 1 then 2, each once
    first, second = await receive(comm), await receive(comm)
    assert [first["notification"]["seq"], second["notification"]["seq"]] == [1, 2]
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_hello_with_a_future_seq_starts_over(school: Tenant) -> None:
    lisa = await new_user(school, Role.STUDENT)
    await notify_in(school, lisa, "only one")
    comm = await communicator(school, lisa)
    _ready, replayed = await start(comm, last_seq=99)
    assert [n["seq"] for n in replayed] == [1]
    await comm.disconnect()


async def test_mark_read_updates_every_socket_of_the_user(school: Tenant) -> None:
    lisa = await new_user(school, Role.STUDENT)
    for title in ("a", "b", "c"):
        await notify_in(school, lisa, title)
    phone, laptop = await communicator(school, lisa), await communicator(school, lisa)
    await start(phone, last_seq=3)
    ready, _ = await start(laptop, last_seq=3)
    assert ready["unread"] == 3
    await send(phone, type="mark_read", seq=2, ref="r1")
    answers = [await receive(phone), await receive(phone)]
    assert {"type": "unread", "ref": "r1", "unread": 2, "v": 1} in answers
    assert (await receive(laptop))["unread"] == 2
    await send(laptop, type="mark_all_read")
    assert (await receive(laptop))["unread"] == 0
    assert (await receive(phone))["unread"] == 0
    await asyncio.gather(phone.disconnect(), laptop.disconnect())


async def test_a_socket_that_cannot_join_its_groups_is_told_to_retry(school: Tenant) -> None:
    # given Redis is unreachable when a student's page connects
    lisa = await new_user(school, Role.STUDENT)
    with override_settings(CHANNEL_LAYERS=DEAD_LAYER):
        comm = await communicator(school, lisa)
        connected, _ = await comm.connect(timeout=5)
        # then the socket is accepted and closed with "busy, retry" (not a handshake error)
        assert connected
        assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4503}
