"""Every notifying service, one table: after commit exactly the expected notifications reach
exactly the expected people (live, over Redis, and in their inbox); on rollback nothing is
stored and nothing is sent."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django_tenants.utils import tenant_context

from realtime.models import Notification
from school.clock import tenant_today
from school.services import grades, invoices, reminders
from tenants.models import Tenant
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice
from tests.school.helpers import listening

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


@dataclass(frozen=True)
class Case:
    # Builds the records (inside the schema) and returns the action to run.
    arrange: Callable[[People], Callable[[], object]]
    # (who, type) pairs expected, by People attribute name.
    expected: list[tuple[str, str]]


def _course_with_drafts(p: People) -> Any:
    course = make_course(students=[p.alice, p.bob])
    quiz = make_assessment(course, max_score="20")
    make_grade(quiz, p.alice, "10", by=p.admin)
    make_grade(quiz, p.bob, "11", by=p.admin)
    return course


def _single(p: People) -> Callable[[], object]:
    grade = make_grade(make_assessment(make_course(students=[p.alice])), p.alice, "1", by=p.admin)
    return lambda: grades.grade_publish(grade=grade, by=p.admin)


def _course(p: People) -> Callable[[], object]:
    course = _course_with_drafts(p)
    return lambda: grades.course_publish(course=course, by=p.admin)


def _term(p: People) -> Callable[[], object]:
    course = _course_with_drafts(p)
    return lambda: grades.term_publish(term=course.term, by=p.admin)


def _correction(p: People) -> Callable[[], object]:
    quiz = make_assessment(make_course(students=[p.alice, p.bob]))
    make_grade(quiz, p.alice, "40", by=p.admin, published=True)
    return lambda: grades.grade_enter(assessment=quiz, student=p.alice, score="45", by=p.admin)


def _gradebook(p: People) -> Callable[[], object]:
    course = make_course(students=[p.alice, p.bob])
    quiz = make_assessment(course)
    make_grade(quiz, p.bob, "40", by=p.admin, published=True)
    scores = {(quiz.pk, p.bob.pk): "41", (quiz.pk, p.alice.pk): "50"}  # a correction, a draft
    return lambda: grades.gradebook_save(course=course, scores=scores, by=p.admin)


def _correction_publish(p: People) -> Callable[[], object]:
    course = make_course(students=[p.alice, p.bob])
    quiz = make_assessment(course)
    make_grade(quiz, p.alice, "40", by=p.admin, published=True)
    grades.grade_enter(assessment=quiz, student=p.alice, score="45", by=p.admin)
    return lambda: grades.course_publish(course=course, by=p.admin)


def _draft(p: People) -> Callable[[], object]:
    quiz = make_assessment(make_course(students=[p.alice]))
    return lambda: grades.grade_enter(assessment=quiz, student=p.alice, score="5", by=p.admin)


def _issue(p: People) -> Callable[[], object]:
    due = tenant_today() + timedelta(days=9)
    return lambda: invoices.invoice_issue(
        student=p.bob, description="Books", amount="20", due_on=due, by=p.admin
    )


def _cancel(p: People) -> Callable[[], object]:
    invoice = make_invoice(p.carol, by=p.admin)
    return lambda: invoices.invoice_cancel(invoice=invoice, reason="Billed twice", by=p.admin)


def _payment(p: People) -> Callable[[], object]:
    invoice = make_invoice(p.alice, by=p.admin)
    return lambda: invoices.payment_record(invoice=invoice, amount="1", method="cash", by=p.admin)


def _daily(p: People) -> Callable[[], object]:
    today = tenant_today()
    make_invoice(p.alice, by=p.admin, due_on=today - timedelta(days=1))
    make_invoice(p.bob, by=p.admin, due_on=today + timedelta(days=2))
    make_invoice(p.carol, by=p.admin, due_on=today + timedelta(days=20))
    return lambda: reminders.invoices_daily_run()


CASES = {
    "grade_publish": Case(_single, [("alice", "grade.published")]),
    "course_publish": Case(_course, [("alice", "grade.published"), ("bob", "grade.published")]),
    "term_publish": Case(_term, [("alice", "grade.published"), ("bob", "grade.published")]),
    # corrections are drafts until published (tests/school/test_grade_correction.py)
    "grade_correction": Case(_correction, []),
    "gradebook_save": Case(_gradebook, []),
    "correction_publish": Case(_correction_publish, [("alice", "grade.updated")]),
    "draft_entry": Case(_draft, []),
    "invoice_issue": Case(_issue, [("bob", "invoice.issued")]),
    "invoice_cancel": Case(_cancel, [("carol", "invoice.cancelled")]),
    "payment_record": Case(_payment, [("alice", "payment.recorded")]),
    "invoices_daily": Case(_daily, [("alice", "invoice.overdue"), ("bob", "invoice.due_soon")]),
}
NAMES = ("admin", "alice", "bob", "carol")


@pytest.mark.parametrize("name", CASES)
def test_exactly_the_expected_notifications_after_commit(
    name: str, school: Tenant, people: People, on_commit: Any
) -> None:
    case = CASES[name]
    with tenant_context(school):
        action = case.arrange(people)
        listeners = {who: listening(users=[getattr(people, who)]) for who in NAMES}
        opened = {who: ctx.__enter__() for who, ctx in listeners.items()}
        try:
            with on_commit(execute=True):
                action()
            heard = sorted(
                (who, n["type"])
                for who, listener in opened.items()
                for n in listener.notifications(timeout=0.3)
            )
        finally:
            for ctx in listeners.values():
                ctx.__exit__(None, None, None)
        stored = sorted(
            (who, t)
            for who in NAMES
            for t in Notification.objects.filter(recipient=getattr(people, who)).values_list(
                "type", flat=True
            )
        )
    assert heard == sorted(case.expected)
    assert stored == sorted(case.expected)


@pytest.mark.parametrize("name", CASES)
def test_nothing_is_stored_or_sent_on_rollback(
    name: str, school: Tenant, people: People, on_commit: Any
) -> None:
    case = CASES[name]
    with tenant_context(school):
        action = case.arrange(people)
        with listening(users=[getattr(people, who) for who in NAMES]) as everyone:
            with (
                on_commit(execute=True) as callbacks,
                pytest.raises(Rollback),
                transaction.atomic(),
            ):
                action()
                raise Rollback
            assert callbacks == []
            assert everyone.events(timeout=0.3) == []
        assert not Notification.objects.exists()
