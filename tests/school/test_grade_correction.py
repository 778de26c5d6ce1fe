"""Correcting a published grade (issue #13): the correction is a draft until it is published —
the student keeps seeing the published score and hears nothing — then `grade.updated` goes
out; the gradebook says so next to its Save button and marks the cells with unpublished
corrections. The gradebooks list counts each draft once."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.models import Notification
from school import selectors
from school.models import Grade, GradeStatus
from school.payloads import cell_key
from school.services import grades
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.realtime.helpers import communicator, receive, start
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_course, make_grade, make_term


def types_of(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("seq").values_list("type", flat=True)
    )


def alices_scores(school: Tenant, alice: User) -> list[str]:
    """The scores on Alice's own grades page (its JSON state: the same numbers)."""
    state = client_for(school, alice).get("/school/my/grades.json").json()
    return [g["score"] for g in state["terms"][0]["courses"][0]["grades"]]


@pytest.mark.django_db
def test_a_correction_saved_in_the_gradebook_stays_a_draft_until_published(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        # given Alice's published 15/20 in Algebra
        course = make_course(students=[people.alice, people.bob], name="Algebra")
        quiz = make_assessment(course, title="Quiz", max_score="20")
        grade = make_grade(quiz, people.alice, "15", by=people.admin, published=True)
    admin = client_for(school, people.admin)
    # when the administrator types 18 over it and saves the gradebook
    with on_commit(execute=True) as callbacks:
        answer = admin.post(
            f"/school/courses/{course.pk}/gradebook/", {cell_key(quiz.pk, people.alice.pk): "18"}
        )
    assert answer.status_code == 302
    # then nothing went out (today's bug: grade.updated at once) and Alice still sees 15
    assert callbacks == []
    with tenant_context(school):
        assert types_of(people.alice) == []
        saved = Grade.objects.get(pk=grade.pk)
        assert (saved.score, saved.pending_score) == (Decimal("15.00"), Decimal("18.00"))
    assert alices_scores(school, people.alice) == ["15.00"]
    assert "15.00 / 20.00" in client_for(school, people.alice).get("/school/my/grades/").text
    # and the gradebook shows the correction as unpublished, with what students see
    page = admin.get(f"/school/courses/{course.pk}/gradebook/").text
    assert 'class="cell correction"' in page and "students see 15" in page
    assert 'value="18"' in page
    # when the administrator publishes the course's drafts
    with on_commit(execute=True):
        assert admin.post(f"/school/courses/{course.pk}/publish/").status_code == 302
    # then Alice sees 18 and was told once, as a correction; Bob heard nothing
    assert alices_scores(school, people.alice) == ["18.00"]
    with tenant_context(school):
        assert types_of(people.alice) == ["grade.updated"]
        assert types_of(people.bob) == []
        saved = Grade.objects.get(pk=grade.pk)
        assert saved.pending_score is None and saved.status == GradeStatus.PUBLISHED
    assert (
        'class="cell correction"' not in admin.get(f"/school/courses/{course.pk}/gradebook/").text
    )


@pytest.mark.django_db
def test_the_gradebook_states_the_rule_next_to_the_save_button(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
    page = client_for(school, people.admin).get(f"/school/courses/{course.pk}/gradebook/").text
    # the old promise ("students see nothing until you publish") is not made for corrections
    assert "students see nothing until you publish" not in page
    rule = page[page.index("Save drafts") :]
    assert "a change to a published" in rule and "students keep seeing the published score" in rule


@pytest.mark.django_db
def test_one_correction_is_published_on_its_own_and_withdrawn_by_typing_the_score_back(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
        quiz = make_assessment(course, title="Quiz", max_score="20")
        grade = make_grade(quiz, people.alice, "15", by=people.admin, published=True)
        with on_commit(execute=True) as callbacks:
            # a correction typed back to the published score is withdrawn
            grades.grade_enter(assessment=quiz, student=people.alice, score="12", by=people.admin)
            withdrawn = grades.grade_enter(
                assessment=quiz, student=people.alice, score="15", by=people.admin
            )
            assert withdrawn.pending_score is None
            assert selectors.unpublished_grades().count() == 0
            corrected = grades.grade_enter(
                assessment=quiz, student=people.alice, score="13", by=people.admin
            )
        assert callbacks == [] and types_of(people.alice) == []
        assert corrected.score == Decimal("15.00") and corrected.pending_score == Decimal("13.00")
        # when only this correction is published
        with on_commit(execute=True):
            grades.grade_publish(grade=grade, by=people.admin)
        assert Grade.objects.get(pk=grade.pk).score == Decimal("13.00")
        assert types_of(people.alice) == ["grade.updated"]
        body = Notification.objects.get(recipient=people.alice).data["grades"][0]["score"]
        assert body == "13.00"


@pytest.mark.django_db
def test_publishing_a_term_publishes_its_corrections_too(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        term = make_term()
        course = make_course(term=term, students=[people.alice, people.bob])
        quiz = make_assessment(course, max_score="10")
        make_grade(quiz, people.alice, "6", by=people.admin, published=True)
        make_grade(quiz, people.bob, "7", by=people.admin)
        grades.grade_enter(assessment=quiz, student=people.alice, score="8", by=people.admin)
        with on_commit(execute=True):
            published = grades.term_publish(term=term, by=people.admin)
        assert len(published) == 2
        assert types_of(people.alice) == ["grade.updated"]
        assert types_of(people.bob) == ["grade.published"]


@pytest.mark.django_db
def test_the_gradebooks_list_counts_each_draft_once(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    with tenant_context(school):
        # given a course of three students with two drafts and one pending correction
        course = make_course(students=[people.alice, people.bob, people.carol], name="Biology")
        quiz = make_assessment(course)
        make_grade(quiz, people.alice, "50", by=people.admin)
        make_grade(quiz, people.bob, "60", by=people.admin)
        make_grade(quiz, people.carol, "70", by=people.admin, published=True)
        grades.grade_enter(assessment=quiz, student=people.carol, score="75", by=people.admin)
        # then it counts 3 unpublished changes (not one per enrolled student each) and 3 students
        listed: Any = selectors.course_list().get(pk=course.pk)
        assert (listed.students, listed.drafts) == (3, 3)
        assert selectors.admin_overview()["drafts"] == 3
    page = client_for(school, people.admin).get("/school/courses/").text
    row = page[page.index("Biology") :]
    assert '<td class="num">3</td><td class="num">3</td>' in row
    # and the second school lists nothing of it
    admin_b = make_user(school_b, Role.ADMINISTRATOR, name="Admin B")
    assert "Biology" not in client_for(school_b, admin_b).get("/school/courses/").text


# --- live, over a real socket ----------------------------------------------------------------


def _in(tenant: Tenant, fn: Callable[[], Any]) -> Any:
    with tenant_context(tenant):
        return fn()


in_tenant = database_sync_to_async(_in)


def _post(tenant: Tenant, user: User, url: str, data: dict[str, str] | None = None) -> int:
    status: int = client_for(tenant, user).post(url, data or {}).status_code
    return status


post = database_sync_to_async(_post)


@pytest.mark.usefixtures("live_db")
async def test_the_student_hears_the_correction_live_only_once_it_is_published(
    school: Tenant, school_b: Tenant
) -> None:
    def given() -> tuple[User, User, User, int, str]:
        admin = make_user(school, Role.ADMINISTRATOR, name="Admin")
        alice = make_user(school, Role.STUDENT, name="Alice")
        student_b = make_user(school_b, Role.STUDENT, name="Alice B")
        with tenant_context(school):
            course = make_course(students=[alice], name="Music")
            quiz = make_assessment(course, title="Quiz", max_score="20")
            make_grade(quiz, alice, "15", by=admin, published=True)
        return admin, alice, student_b, course.pk, cell_key(quiz.pk, alice.pk)

    admin, alice, student_b, course_id, cell = await database_sync_to_async(given)()
    alice_socket = await communicator(school, alice)
    socket_b = await communicator(school_b, student_b)
    await start(alice_socket)
    await start(socket_b)
    try:
        # when the correction is saved: silence
        url = f"/school/courses/{course_id}/gradebook/"
        assert await post(school, admin, url, {cell: "17"}) == 302
        assert await alice_socket.receive_nothing(timeout=0.5)
        # when it is published: grade.updated, with the new score and average
        assert await post(school, admin, f"/school/courses/{course_id}/publish/") == 302
        frame = await receive(alice_socket)
        data = frame["notification"]["data"]
        assert frame["notification"]["type"] == "grade.updated"
        assert data["title"] == "Grade corrected in Music"
        assert [g["score"] for g in data["grades"]] == ["17.00"]
        assert data["course_average"] == "85.00"
        assert data["body"] == "Quiz 17/20 (85)"
        assert await alice_socket.receive_nothing(timeout=0.3)
        # and the second school hears nothing
        assert await socket_b.receive_nothing(timeout=0.3)
    finally:
        await alice_socket.disconnect()
        await socket_b.disconnect()
