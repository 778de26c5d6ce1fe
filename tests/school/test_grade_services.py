"""Grade rules: drafts stay private, publishing notifies exactly the students concerned after
commit (never on rollback), corrections notify, the entry window and score range hold."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.models import Notification
from realtime.services import notification_payload
from school import selectors
from school.errors import Conflict
from school.models import Grade, GradeStatus
from school.services import grades
from tenants.models import Tenant
from tests.factories import make_user
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_course, make_grade, make_term
from tests.school.helpers import listening

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def notifications_of(user: User, type_: str | None = None) -> list[Notification]:
    qs = Notification.objects.filter(recipient=user).order_by("seq")
    return list(qs.filter(type=type_) if type_ else qs)


def test_a_draft_grade_is_invisible_and_silent(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        # given a course with Alice enrolled
        course = make_course(students=[people.alice])
        quiz = make_assessment(course, title="Quiz", max_score="20")
        # when the administrator enters a grade
        with on_commit(execute=True) as callbacks:
            grade = grades.grade_enter(
                assessment=quiz, student=people.alice, score="17.5", by=people.admin
            )
        # then it is a draft: Alice sees nothing and hears nothing
        assert grade.status == GradeStatus.DRAFT and grade.score == Decimal("17.50")
        assert callbacks == []
        assert notifications_of(people.alice) == []
        assert selectors.student_grades(student=people.alice)[0]["courses"][0]["grades"] == []


def test_publishing_one_grade_notifies_that_student_after_commit(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice, people.bob], name="Algebra")
        quiz = make_assessment(course, title="Quiz", max_score="20", weight="1")
        grade = make_grade(quiz, people.alice, "15", by=people.admin)
        make_grade(quiz, people.bob, "12", by=people.admin)
        with listening(users=[people.alice]) as alice, listening(users=[people.bob]) as bob:
            with on_commit(execute=True):
                grades.grade_publish(grade=grade, by=people.admin)
            heard = alice.notifications()
            assert bob.notifications() == []
        # then exactly one grade.published reached Alice, live and in her inbox
        assert [n["type"] for n in heard] == ["grade.published"]
        data = heard[0]["data"]
        assert data["title"] == "New grade in Algebra"
        assert data["course_id"] == course.pk and data["course_average"] == "75.00"
        assert [g["id"] for g in data["grades"]] == [grade.pk]
        assert data["grades"][0]["score"] == "15.00" and data["url"] == "/school/my/grades/"
        assert [n.type for n in notifications_of(people.alice)] == ["grade.published"]
        assert notifications_of(people.bob) == []
        assert Grade.objects.get(pk=grade.pk).status == GradeStatus.PUBLISHED


def test_nothing_is_sent_or_kept_when_the_publish_rolls_back(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
        grade = make_grade(make_assessment(course), people.alice, "80", by=people.admin)
        with listening(users=[people.alice]) as alice:
            with (
                on_commit(execute=True) as callbacks,
                pytest.raises(Rollback),
                transaction.atomic(),
            ):
                grades.grade_publish(grade=grade, by=people.admin)
                raise Rollback
            assert callbacks == []
            assert alice.notifications() == []
        assert notifications_of(people.alice) == []
        assert Grade.objects.get(pk=grade.pk).status == GradeStatus.DRAFT


def test_course_publish_sends_each_student_only_their_own_grades(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        # given Alice and Bob in a course with drafts, Carol in another course with a draft
        course = make_course(students=[people.alice, people.bob])
        quiz = make_assessment(course, title="Quiz", max_score="20", weight="1")
        exam = make_assessment(course, title="Exam", max_score="100", weight="3")
        a1 = make_grade(quiz, people.alice, "20", by=people.admin)
        a2 = make_grade(exam, people.alice, "60", by=people.admin)
        b1 = make_grade(quiz, people.bob, "10", by=people.admin)
        other = make_course(term=course.term, students=[people.carol])
        make_grade(make_assessment(other), people.carol, "50", by=people.admin)
        # when the course is published
        with on_commit(execute=True):
            published = grades.course_publish(course=course, by=people.admin)
        # then only that course's drafts are published, one message per student
        assert {g.pk for g in published} == {a1.pk, a2.pk, b1.pk}
        alice = notifications_of(people.alice)
        bob = notifications_of(people.bob)
        assert [n.type for n in alice] == ["grade.published"]
        assert {g["id"] for g in alice[0].data["grades"]} == {a1.pk, a2.pk}
        # weighted: (100 * 1 + 60 * 3) / 4 = 70
        assert alice[0].data["course_average"] == "70.00"
        assert [g["id"] for g in bob[0].data["grades"]] == [b1.pk]
        assert notifications_of(people.carol) == []
        # and publishing again finds nothing and sends nothing
        with on_commit(execute=True) as callbacks:
            assert grades.course_publish(course=course, by=people.admin) == []
        assert callbacks == []


def test_term_publish_sends_one_message_per_student_and_course(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        term = make_term()
        maths = make_course(term=term, students=[people.alice], name="Maths")
        art = make_course(term=term, students=[people.alice], name="Art")
        make_grade(make_assessment(maths), people.alice, "90", by=people.admin)
        make_grade(make_assessment(art), people.alice, "70", by=people.admin)
        later = make_course(students=[people.alice], name="Other term")
        make_grade(make_assessment(later), people.alice, "10", by=people.admin)
        with on_commit(execute=True):
            published = grades.term_publish(term=term, by=people.admin)
        assert len(published) == 2
        sent = notifications_of(people.alice, "grade.published")
        assert sorted(n.data["course"] for n in sent) == ["Art", "Maths"]
        # the other term's draft is untouched
        assert Grade.objects.filter(assessment__course=later, status="draft").count() == 1


def test_publishing_a_correction_of_a_published_grade_notifies_grade_updated(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
        quiz = make_assessment(course, title="Quiz", max_score="20")
        make_grade(quiz, people.alice, "10", by=people.admin, published=True)
        with on_commit(execute=True) as callbacks:
            grade = grades.grade_enter(
                assessment=quiz, student=people.alice, score="14", by=people.admin
            )
        # (a draft correction: silent until published, tests/school/test_grade_correction.py)
        assert callbacks == [] and notifications_of(people.alice) == []
        with on_commit(execute=True):
            grades.grade_publish(grade=grade, by=people.admin)
        grade.refresh_from_db()
        assert grade.score == Decimal("14.00") and grade.status == GradeStatus.PUBLISHED
        sent = notifications_of(people.alice)
        assert [n.type for n in sent] == ["grade.updated"]
        assert sent[0].data["grades"][0]["score"] == "14.00"
        assert sent[0].data["course_average"] == "70.00"
        # (the row stores parameters; the title is rendered from them when shown)
        assert notification_payload(sent[0], language="en")["data"]["title"].startswith(
            "Grade corrected"
        )
        # entering the same score again is not a correction
        with on_commit(execute=True) as callbacks:
            grades.grade_enter(
                assessment=quiz, student=people.alice, score="14.00", by=people.admin
            )
        assert callbacks == [] and len(notifications_of(people.alice)) == 1


def test_changing_a_draft_notifies_nobody(school: Tenant, people: People) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
        quiz = make_assessment(course)
        make_grade(quiz, people.alice, "50", by=people.admin)
        grades.grade_enter(assessment=quiz, student=people.alice, score="55", by=people.admin)
        assert notifications_of(people.alice) == []


@pytest.mark.parametrize("score", ["-1", "20.01", "abc", "1.005", "NaN"])
def test_scores_out_of_range_are_refused_with_a_clear_message(
    school: Tenant, people: People, score: str
) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
        quiz = make_assessment(course, title="Quiz", max_score="20")
        with pytest.raises(ValidationError) as exc:
            grades.grade_enter(assessment=quiz, student=people.alice, score=score, by=people.admin)
        assert "score" in exc.value.message_dict
        assert not Grade.objects.exists()


def test_out_of_range_message_names_the_range(school: Tenant, people: People) -> None:
    with tenant_context(school):
        quiz = make_assessment(make_course(students=[people.alice]), title="Quiz", max_score="20")
        with pytest.raises(ValidationError) as exc:
            grades.grade_enter(assessment=quiz, student=people.alice, score="25", by=people.admin)
        assert exc.value.message_dict["score"] == [
            "25 is out of range: Quiz is scored from 0 to 20."
        ]


def test_a_closed_term_refuses_entry_publish_and_corrections(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        term = make_term(open_for_entry=False, name="Autumn")
        course = make_course(term=term, students=[people.alice])
        quiz = make_assessment(course)
        draft = make_grade(quiz, people.alice, "50", by=people.admin)
        for attempt in (
            lambda: grades.grade_enter(
                assessment=quiz, student=people.alice, score="60", by=people.admin
            ),
            lambda: grades.grade_publish(grade=draft, by=people.admin),
            lambda: grades.course_publish(course=course, by=people.admin),
            lambda: grades.term_publish(term=term, by=people.admin),
            lambda: grades.gradebook_save(
                course=course, scores={(quiz.pk, people.alice.pk): "70"}, by=people.admin
            ),
        ):
            with pytest.raises(ValidationError) as exc:
                attempt()
            assert "Autumn is closed" in exc.value.messages[0]
        draft.refresh_from_db()
        assert draft.score == Decimal("50") and draft.status == GradeStatus.DRAFT
        assert notifications_of(people.alice) == []


def test_grades_only_for_enrolled_students_and_only_by_administrators(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        quiz = make_assessment(make_course(students=[people.alice]))
        with pytest.raises(ValidationError, match="not enrolled"):
            grades.grade_enter(assessment=quiz, student=people.bob, score="1", by=people.admin)
        with pytest.raises(PermissionDenied):
            grades.grade_enter(assessment=quiz, student=people.alice, score="1", by=people.bob)


def test_publishing_a_published_grade_is_a_conflict(school: Tenant, people: People) -> None:
    with tenant_context(school):
        quiz = make_assessment(make_course(students=[people.alice]))
        grade = make_grade(quiz, people.alice, "5", by=people.admin, published=True)
        with pytest.raises(Conflict):
            grades.grade_publish(grade=grade, by=people.admin)


def test_gradebook_save_is_all_or_nothing(school: Tenant, people: People) -> None:
    with tenant_context(school):
        alice, bob = people.alice, people.bob
        course = make_course(students=[alice, bob])
        quiz = make_assessment(course, max_score="20")
        # when one cell of three is out of range
        with pytest.raises(ValidationError) as exc:
            grades.gradebook_save(
                course=course,
                scores={(quiz.pk, alice.pk): "18", (quiz.pk, bob.pk): "21"},
                by=people.admin,
            )
        # then the error names that cell and nothing at all is written
        assert list(exc.value.message_dict) == [grades.cell_key(quiz.pk, bob.pk)]
        assert not Grade.objects.exists()
        # when all cells are valid they are saved as drafts
        saved = grades.gradebook_save(
            course=course,
            scores={(quiz.pk, alice.pk): "18", (quiz.pk, bob.pk): "19,5"},
            by=people.admin,
        )
        assert len(saved.created) == 2
        assert Grade.objects.get(student=bob).score == Decimal("19.50")
        assert notifications_of(alice) == [] and notifications_of(bob) == []


def test_gradebook_save_corrections_notify_once_published_and_published_grades_cannot_be_blanked(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        alice, bob = people.alice, people.bob
        course = make_course(students=[alice, bob])
        quiz = make_assessment(course, max_score="20")
        make_grade(quiz, alice, "10", by=people.admin, published=True)
        make_grade(quiz, bob, "12", by=people.admin)
        with pytest.raises(ValidationError) as exc:
            grades.gradebook_save(course=course, scores={(quiz.pk, alice.pk): " "}, by=people.admin)
        assert (
            "corrected but not removed"
            in exc.value.message_dict[grades.cell_key(quiz.pk, alice.pk)][0]
        )
        with on_commit(execute=True):
            saved = grades.gradebook_save(
                course=course,
                scores={(quiz.pk, alice.pk): "11", (quiz.pk, bob.pk): ""},
                by=people.admin,
            )
        assert len(saved.corrected) == 1 and saved.removed == 1
        assert notifications_of(alice) == []
        with on_commit(execute=True):
            grades.course_publish(course=course, by=people.admin)
        assert [n.type for n in notifications_of(alice)] == ["grade.updated"]
        assert notifications_of(bob) == []


def test_a_cell_of_another_course_is_refused(school: Tenant, people: People) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
        foreign = make_assessment(make_course(students=[people.alice]))
        with pytest.raises(ValidationError):
            grades.gradebook_save(
                course=course, scores={(foreign.pk, people.alice.pk): "1"}, by=people.admin
            )


def test_averages_are_weighted_percentages_and_term_mean(school: Tenant, people: People) -> None:
    with tenant_context(school):
        alice = people.alice
        term = make_term()
        maths = make_course(term=term, students=[alice], name="Maths")
        make_grade(
            make_assessment(maths, max_score="20", weight="1"),
            alice,
            "10",
            by=people.admin,
            published=True,
        )
        make_grade(
            make_assessment(maths, max_score="50", weight="3"),
            alice,
            "45",
            by=people.admin,
            published=True,
        )
        art = make_course(term=term, students=[alice], name="Art")
        make_grade(make_assessment(art), alice, "60", by=people.admin, published=True)
        make_grade(make_assessment(art), alice, "0", by=people.admin)  # draft: not counted
        report = selectors.term_report(student=alice, term=term)
        assert report is not None
        averages = {c["name"]: c["average"] for c in report["courses"]}
        # Maths: (50 * 1 + 90 * 3) / 4 = 80; Art: 60; term: (80 + 60) / 2 = 70
        assert averages == {"Art": Decimal("60.00"), "Maths": Decimal("80.00")}
        assert report["average"] == Decimal("70.00")


def test_other_tenants_grades_are_out_of_reach(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
        make_grade(make_assessment(course), people.alice, "77", by=people.admin, published=True)
    other = make_user(school_b, Role.STUDENT)
    with tenant_context(school_b):
        assert not Grade.objects.exists()
        assert selectors.student_grades(student=other) == []
        assert not Notification.objects.exists()
