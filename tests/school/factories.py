"""School records for tests. Call inside the tenant's schema (tenant_context)."""

import itertools
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from accounts.models import User
from school.clock import tenant_currency, tenant_today
from school.models import (
    Assessment,
    BillingRun,
    ClassGroup,
    Course,
    Enrolment,
    FeeItem,
    Grade,
    Invoice,
    Subject,
    Term,
)

_serial = itertools.count(1)


def make_term(*, open_for_entry: bool = True, name: str | None = None) -> Term:
    today = tenant_today()
    if open_for_entry:
        opens, closes = today - timedelta(days=10), today + timedelta(days=10)
    else:
        opens, closes = today - timedelta(days=40), today - timedelta(days=1)
    return Term.objects.create(
        name=name or f"Term {next(_serial)}",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=60),
        entry_opens_on=opens,
        entry_closes_on=closes,
    )


def make_course(
    *, term: Term | None = None, students: Sequence[User] = (), name: str = ""
) -> Course:
    n = next(_serial)
    subject = Subject.objects.create(code=f"S{n}", name=f"Subject {n}")
    course = Course.objects.create(
        term=term or make_term(), subject=subject, name=name or f"Course {n}"
    )
    for student in students:
        Enrolment.objects.create(course=course, student=student)
    return course


def make_assessment(
    course: Course, *, title: str = "", max_score: str = "100", weight: str = "1"
) -> Assessment:
    return Assessment.objects.create(
        course=course,
        title=title or f"Assessment {next(_serial)}",
        max_score=Decimal(max_score),
        weight=Decimal(weight),
        position=course.assessments.count(),
    )


def make_grade(
    assessment: Assessment, student: User, score: str, *, by: User, published: bool = False
) -> Grade:
    from django.utils import timezone

    return Grade.objects.create(
        assessment=assessment,
        student=student,
        score=Decimal(score),
        entered_by=by,
        status="published" if published else "draft",
        published_at=timezone.now() if published else None,
    )


def make_invoice(
    student: User,
    *,
    by: User,
    amount: str = "100.00",
    due_on: date | None = None,
    paid: str = "0",
    status: str = "issued",
    description: str = "Tuition",
) -> Invoice:
    today = tenant_today()
    return Invoice.objects.create(
        student=student,
        description=description,
        amount=Decimal(amount),
        amount_paid=Decimal(paid),
        currency=tenant_currency(),
        issued_on=today - timedelta(days=30),
        due_on=due_on or today + timedelta(days=30),
        status=status,
        issued_by=by,
    )


def make_billing_run(
    fee: FeeItem,
    *,
    by: User,
    due_on: date,
    level: str = "",
    group: ClassGroup | None = None,
    **fields: Any,
) -> BillingRun:
    """A billing run as billing_run_start leaves it (queued, its worker not started): its row
    only, billing the fee's name and amount to one level or one group."""
    return BillingRun.objects.create(
        fee=fee,
        level=level,
        group=group,
        due_on=due_on,
        description=fee.name,
        amount=fee.amount,
        created_by=by,
        **fields,
    )
