"""Guardians over real sockets (full ASGI stack, Redis channel layer, committed data): a
guardian hears exactly their own children's grades, invoices and payments, live and replayed,
each naming the child; a second family's guardian and the second school hear nothing."""

from dataclasses import dataclass

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from school.models import Guardianship
from tenants.models import Tenant
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, start
from tests.school.async_steps import in_tenant, post
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice

pytestmark = pytest.mark.usefixtures("live_db")


@dataclass
class Families:
    admin: User
    lisa: User
    bart: User
    nelson: User  # another family's child, in the same course
    marge: User  # guardian of Lisa and Bart
    mrs_muntz: User  # guardian of Nelson
    guardian_b: User  # a guardian in the second school
    course_id: int


def _setup(school: Tenant, school_b: Tenant) -> Families:
    admin = make_user(school, Role.ADMINISTRATOR, name="Admin")
    lisa = make_user(school, Role.STUDENT, name="Lisa")
    bart = make_user(school, Role.STUDENT, name="Bart")
    nelson = make_user(school, Role.STUDENT, name="Nelson")
    marge = make_user(school, Role.GUARDIAN, name="Marge")
    mrs_muntz = make_user(school, Role.GUARDIAN, name="Mrs Muntz")
    admin_b = make_user(school_b, Role.ADMINISTRATOR, name="Admin B")
    student_b = make_user(school_b, Role.STUDENT, name="Lisa B")
    guardian_b = make_user(school_b, Role.GUARDIAN, name="Marge B")
    with tenant_context(school):
        for guardian, child in ((marge, lisa), (marge, bart), (mrs_muntz, nelson)):
            Guardianship.objects.create(guardian=guardian, student=child)
        course = make_course(students=[lisa, nelson], name="Music")
        quiz = make_assessment(course, title="Quiz", max_score="20")
        make_grade(quiz, lisa, "18", by=admin)
        make_grade(quiz, nelson, "9", by=admin)
    with tenant_context(school_b):
        Guardianship.objects.create(guardian=guardian_b, student=student_b)
        course_b = make_course(students=[student_b], name="Music")
        make_grade(make_assessment(course_b), student_b, "50", by=admin_b)
    return Families(admin, lisa, bart, nelson, marge, mrs_muntz, guardian_b, course.pk)


setup = database_sync_to_async(_setup)


async def test_a_guardian_hears_their_childs_grade_live_naming_the_child(
    school: Tenant, school_b: Tenant
) -> None:
    f = await setup(school, school_b)
    sockets: dict[str, WebsocketCommunicator] = {
        "marge": await communicator(school, f.marge),
        "mrs_muntz": await communicator(school, f.mrs_muntz),
        "guardian_b": await communicator(school_b, f.guardian_b),
    }
    for comm in sockets.values():
        await start(comm)
    try:
        # when the administrator publishes Music (Lisa's and Nelson's grades)
        assert await post(school, f.admin, f"/school/courses/{f.course_id}/publish/") == 302
        # then Marge hears Lisa's grade, named, linking to Lisa's page
        frame = await receive(sockets["marge"])
        data = frame["notification"]["data"]
        assert frame["notification"]["type"] == "grade.published"
        assert data["title"] == "Lisa: New grade in Music"
        assert data["child"] == {"id": f.lisa.pk, "name": "Lisa"}
        assert data["url"] == f"/school/my/grades/?student={f.lisa.pk}"
        assert [g["score"] for g in data["grades"]] == ["18.00"]
        # and only that: Nelson's grade went to his own guardian, named Nelson
        assert await sockets["marge"].receive_nothing(timeout=0.3)
        other = await receive(sockets["mrs_muntz"])
        assert other["notification"]["data"]["title"] == "Nelson: New grade in Music"
        assert await sockets["mrs_muntz"].receive_nothing(timeout=0.3)
        # and the second school's guardian hears nothing
        assert await sockets["guardian_b"].receive_nothing(timeout=0.3)
    finally:
        for comm in sockets.values():
            await comm.disconnect()


async def test_a_guardian_offline_gets_each_childs_notifications_on_replay(
    school: Tenant, school_b: Tenant
) -> None:
    f = await setup(school, school_b)
    # given, while Marge is away, Lisa's grade published, Bart invoiced and paying part of it
    assert await post(school, f.admin, f"/school/courses/{f.course_id}/publish/") == 302
    invoice = await in_tenant(school, lambda: make_invoice(f.bart, by=f.admin, amount="300"))
    paid = {"amount": "100.00", "method": "cash"}
    assert await post(school, f.admin, f"/school/invoices/{invoice.pk}/pay/", paid) == 302
    # when she connects
    comm = await communicator(school, f.marge)
    _, replayed = await start(comm)
    await comm.disconnect()
    # then her own copies replay, in order, each naming its child
    assert [(n["type"], n["data"]["child"]["name"]) for n in replayed] == [
        ("grade.published", "Lisa"),
        ("payment.recorded", "Bart"),
    ]
    assert replayed[1]["data"]["title"] == "Bart: Payment received"
    assert replayed[1]["data"]["url"] == f"/school/my/invoices/?student={f.bart.pk}"
    # and the other family's guardian replays only Nelson's grade; the second school's, nothing
    comm = await communicator(school, f.mrs_muntz)
    _, theirs = await start(comm)
    await comm.disconnect()
    assert [n["data"]["child"]["name"] for n in theirs] == ["Nelson"]
    comm = await communicator(school_b, f.guardian_b)
    _, replayed_b = await start(comm)
    await comm.disconnect()
    assert replayed_b == []
