"""End to end over real sockets (full ASGI stack, Redis channel layer, committed data): an
administrator's action reaches exactly the right student's socket and the administrators'
payments feed, and nobody else's, in this school or the second one."""

from dataclasses import dataclass

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from school.payloads import PAYMENTS_TOPIC
from tenants.models import Tenant
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, send, start
from tests.school.async_steps import in_tenant, post
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice

pytestmark = pytest.mark.usefixtures("live_db")


@dataclass
class Schools:
    admin: User
    alice: User  # enrolled, has a draft grade
    bob: User  # enrolled in the same course, no grade
    carol: User  # not in the course
    admin_b: User
    student_b: User  # a student of school_b
    course_id: int
    grade_id: int
    assessment_id: int


def _setup(school: Tenant, school_b: Tenant) -> Schools:
    admin = make_user(school, Role.ADMINISTRATOR, name="Admin")
    alice = make_user(school, Role.STUDENT, name="Alice")
    bob = make_user(school, Role.STUDENT, name="Bob")
    carol = make_user(school, Role.STUDENT, name="Carol")
    admin_b = make_user(school_b, Role.ADMINISTRATOR, name="Admin B")
    student_b = make_user(school_b, Role.STUDENT, name="Alice B")
    with tenant_context(school):
        course = make_course(students=[alice, bob], name="Chemistry")
        quiz = make_assessment(course, title="Quiz", max_score="20")
        grade = make_grade(quiz, alice, "16", by=admin)
    with tenant_context(school_b):
        # the second school has a course and a draft too, which must stay untouched
        course_b = make_course(students=[student_b], name="Chemistry")
        make_grade(make_assessment(course_b), student_b, "50", by=admin_b)
    return Schools(admin, alice, bob, carol, admin_b, student_b, course.pk, grade.pk, quiz.pk)


setup = database_sync_to_async(_setup)


async def connect_all(
    school: Tenant, school_b: Tenant, s: Schools
) -> dict[str, WebsocketCommunicator]:
    sockets = {
        "admin": await communicator(school, s.admin),
        "alice": await communicator(school, s.alice),
        "bob": await communicator(school, s.bob),
        "carol": await communicator(school, s.carol),
        "admin_b": await communicator(school_b, s.admin_b),
        "student_b": await communicator(school_b, s.student_b),
    }
    for comm in sockets.values():
        await start(comm)
    return sockets


async def assert_silent(sockets: dict[str, WebsocketCommunicator], *names: str) -> None:
    for name in names:
        assert await sockets[name].receive_nothing(timeout=0.3), f"{name} heard something"


async def close_all(sockets: dict[str, WebsocketCommunicator]) -> None:
    for comm in sockets.values():
        await comm.disconnect()


async def test_publish_reaches_only_the_students_socket(school: Tenant, school_b: Tenant) -> None:
    s = await setup(school, school_b)
    sockets = await connect_all(school, school_b, s)
    try:
        # when the administrator presses "publish" on the course
        assert await post(school, s.admin, f"/school/courses/{s.course_id}/publish/") == 302
        # then Alice's socket gets the grade, with what her page needs to update itself
        frame = await receive(sockets["alice"])
        assert frame["type"] == "notification"
        notification = frame["notification"]
        assert notification["type"] == "grade.published" and notification["seq"] == 1
        data = notification["data"]
        assert data["course"] == "Chemistry" and data["course_average"] == "80.00"
        assert [g["id"] for g in data["grades"]] == [s.grade_id]
        # and nobody else hears anything: classmates, other students, admins, school_b
        await assert_silent(sockets, "alice", "bob", "carol", "admin", "admin_b", "student_b")
        # a correction is a draft until published, then reaches Alice alone as grade.updated
        status = await post(
            school,
            s.admin,
            f"/school/courses/{s.course_id}/gradebook/",
            {f"g-{s.assessment_id}-{s.alice.pk}": "18"},
        )
        assert status == 302
        await assert_silent(sockets, "alice", "bob", "carol", "admin", "admin_b", "student_b")
        assert await post(school, s.admin, f"/school/courses/{s.course_id}/publish/") == 302
        frame = await receive(sockets["alice"])
        assert frame["notification"]["type"] == "grade.updated"
        assert frame["notification"]["data"]["course_average"] == "90.00"
        await assert_silent(sockets, "bob", "carol", "admin", "admin_b", "student_b")
    finally:
        await close_all(sockets)


async def test_a_student_offline_at_publish_gets_it_on_connect(
    school: Tenant, school_b: Tenant
) -> None:
    s = await setup(school, school_b)
    assert await post(school, s.admin, f"/school/courses/{s.course_id}/publish/") == 302
    comm = await communicator(school, s.alice)
    _, replayed = await start(comm)
    assert [n["type"] for n in replayed] == ["grade.published"]
    await comm.disconnect()
    other = await communicator(school_b, s.student_b)
    _, replayed_b = await start(other)
    assert replayed_b == []
    await other.disconnect()


async def test_payment_reaches_the_student_and_the_admin_feed_only(
    school: Tenant, school_b: Tenant
) -> None:
    s = await setup(school, school_b)
    invoice = await in_tenant(school, lambda: make_invoice(s.alice, by=s.admin, amount="300"))
    await in_tenant(school_b, lambda: make_invoice(s.student_b, by=s.admin_b, amount="300"))
    sockets = await connect_all(school, school_b, s)
    try:
        # administrators of both schools watch their own payments feed
        for name in ("admin", "admin_b"):
            await send(sockets[name], type="subscribe", topic=PAYMENTS_TOPIC, params={})
            answer = await receive(sockets[name])
            assert answer["type"] == "subscribed" and answer["object_id"] == 0
        # students may not
        for name in ("alice", "bob"):
            await send(sockets[name], type="subscribe", topic=PAYMENTS_TOPIC, params={})
            refused = await receive(sockets[name])
            assert refused["type"] == "error" and refused["code"] == "forbidden"
            assert "administrators" in refused["message"]
        # when the administrator records a partial payment
        status = await post(
            school,
            s.admin,
            f"/school/invoices/{invoice.pk}/pay/",
            {"amount": "120.00", "method": "cash"},
        )
        assert status == 302
        # then the feed of this school shows it
        event = await receive(sockets["admin"])
        assert event["type"] == "event" and event["topic"] == PAYMENTS_TOPIC
        assert event["object_id"] == 0
        assert event["event"]["type"] == "payment.recorded"
        assert event["event"]["payment"]["amount"] == "120.00"
        assert event["event"]["payment"]["invoice_balance"] == "180.00"
        # and Alice's balance updates live
        frame = await receive(sockets["alice"])
        assert frame["notification"]["type"] == "payment.recorded"
        assert frame["notification"]["data"]["balance"] == "180.00"
        await assert_silent(sockets, "admin", "alice", "bob", "carol", "admin_b", "student_b")
        # a refused payment (above the balance) sends nothing to anyone
        status = await post(
            school,
            s.admin,
            f"/school/invoices/{invoice.pk}/pay/",
            {"amount": "180.01", "method": "cash"},
        )
        assert status == 400
        await assert_silent(sockets, "admin", "alice", "bob", "carol", "admin_b", "student_b")
    finally:
        await close_all(sockets)
