"""Announcements over real sockets (full ASGI stack, Redis channel layer, committed data): one
to a group reaches exactly that group's members and their guardians, and nobody else in this
school or the other; its author watches the read count move as recipients read it."""

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.models import User
from realtime.models import Notification
from school.models import Announcement
from school.payloads import ANNOUNCEMENT_TOPIC
from tenants.models import Tenant
from tests.factories import client_for
from tests.realtime.helpers import communicator, receive, send, start
from tests.school.announcements_data import Town, make_town
from tests.school.async_steps import in_tenant, post

pytestmark = pytest.mark.usefixtures("live_db")

setup = database_sync_to_async(make_town)


def _get(tenant: Tenant, user: User, url: str) -> int:
    status: int = client_for(tenant, user).get(url).status_code
    return status


get = database_sync_to_async(_get)


async def _sockets(
    tenant_users: dict[str, tuple[Tenant, User]],
) -> dict[str, WebsocketCommunicator]:
    sockets = {}
    for name, (tenant, user) in tenant_users.items():
        sockets[name] = await communicator(tenant, user)
        await start(sockets[name])
    return sockets


async def _silent(sockets: dict[str, WebsocketCommunicator], *names: str) -> None:
    for name in names:
        assert await sockets[name].receive_nothing(timeout=0.3), f"{name} heard something"


async def _close(sockets: dict[str, WebsocketCommunicator]) -> None:
    for comm in sockets.values():
        await comm.disconnect()


def _announcement(school: Tenant) -> Any:
    return Announcement.objects.get()


async def test_a_group_announcement_reaches_its_members_and_their_guardians_only(
    school: Tenant, school_b: Tenant
) -> None:
    t: Town = await setup(school, school_b)
    sockets = await _sockets(
        {
            "member": (school, t.s1),
            "members_guardian": (school, t.g12),
            "other_groups_student": (school, t.s3),
            "other_groups_guardian": (school, t.g3),
            "other_school_student": (school_b, t.student_b),
            "other_school_guardian": (school_b, t.guardian_b),
        }
    )
    try:
        # when the administrator announces to group 1° A, students and guardians
        status = await post(
            school,
            t.admin,
            "/school/announcements/new/",
            {
                "title": "Museum trip",
                "body": "We leave at 8:00.",
                "audience": f"group:{t.g1.pk}",
                "reach": "everyone",
            },
        )
        assert status == 302
        announcement = await in_tenant(school, lambda: _announcement(school))
        # then the member and the member's guardian get it live, with its title and link
        for name in ("member", "members_guardian"):
            frame = await receive(sockets[name])
            assert frame["type"] == "notification", name
            notification = frame["notification"]
            assert notification["type"] == "announcement.published"
            assert notification["data"]["title"] == "Museum trip"
            assert notification["data"]["url"] == f"/school/announcements/{announcement.pk}/"
        # (the guardian of two children in the group got one copy only) and nobody else
        # heard anything: another group's student and guardian, the other school (whose
        # group has the same name)
        await _silent(
            sockets,
            "member",
            "members_guardian",
            "other_groups_student",
            "other_groups_guardian",
            "other_school_student",
            "other_school_guardian",
        )
    finally:
        await _close(sockets)


async def test_the_author_watches_the_read_count_move(school: Tenant, school_b: Tenant) -> None:
    t: Town = await setup(school, school_b)
    status = await post(
        school,
        t.teacher,
        "/school/announcements/new/",
        {
            "title": "Quiz moved",
            "body": "Friday.",
            "audience": f"course:{t.c1.pk}",
            "reach": "everyone",
        },
    )
    assert status == 302
    announcement = await in_tenant(school, lambda: _announcement(school))
    url = f"/school/announcements/{announcement.pk}/"
    sockets = await _sockets(
        {
            "author": (school, t.teacher),
            "admin": (school, t.admin),
            "recipient": (school, t.s1),
            "guardian": (school, t.g12),
            "other_teacher": (school, t.other_teacher),
            "other_admin": (school_b, t.admin_b),
        }
    )
    try:
        # the author and the administrator may watch the count; recipients and others not
        for name in ("author", "admin"):
            await send(
                sockets[name],
                type="subscribe",
                topic=ANNOUNCEMENT_TOPIC,
                params={"object_id": announcement.pk},
            )
            answer = await receive(sockets[name])
            assert answer["type"] == "subscribed" and answer["object_id"] == announcement.pk
        for name in ("recipient", "other_teacher", "other_admin"):
            await send(
                sockets[name],
                type="subscribe",
                topic=ANNOUNCEMENT_TOPIC,
                params={"object_id": announcement.pk},
            )
            refused = await receive(sockets[name])
            assert refused["type"] == "error" and refused["code"] == "forbidden", name
        # when the student opens the announcement
        assert await get(school, t.s1, url) == 200
        # then the author's page hears 1 of 3 (and the student's own unread count drops)
        for name in ("author", "admin"):
            event = await receive(sockets[name])
            assert event["type"] == "event" and event["topic"] == ANNOUNCEMENT_TOPIC
            assert event["event"] == {"type": "announcement.read", "read": 1, "recipients": 3}
        unread = await receive(sockets["recipient"])
        assert unread["type"] == "unread" and unread["unread"] == 0
        # when the guardian marks the notification read over their socket
        seq = await in_tenant(school, lambda: Notification.objects.get(recipient=t.g12).seq)
        await send(sockets["guardian"], type="mark_read", seq=seq)
        event = await receive(sockets["author"])
        assert event["event"] == {"type": "announcement.read", "read": 2, "recipients": 3}
        # and opening it afterwards, or the student opening it again, counts nothing more
        assert await get(school, t.g12, url) == 200
        assert await get(school, t.s1, url) == 200
        await _silent(sockets, "other_teacher", "other_admin")
        assert await sockets["author"].receive_nothing(timeout=0.5)
    finally:
        await _close(sockets)
