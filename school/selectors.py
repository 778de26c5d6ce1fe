"""Reads of the school app. Everything a student is shown goes through a function that takes
that student and returns only their own, published records.

Selectors are a layer under services: services import them, they never import services (the
row shapes both use live in school.payloads)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.roles import Role
from school import grading
from school.clock import tenant_currency, tenant_today
from school.models import (
    Assessment,
    ClassGroup,
    Course,
    Enrolment,
    FeeItem,
    Grade,
    GradeStatus,
    Guardianship,
    Invoice,
    Payment,
    Term,
)
from school.money import money_text
from school.payloads import cell_key, grade_row, invoice_state, payment_row
from school.states import OPEN_STATUSES, InvoiceStatus

# --- grades ----------------------------------------------------------------------------------


def published_grades(*, student: User | int) -> QuerySet[Grade]:
    return Grade.objects.filter(student=student, status=GradeStatus.PUBLISHED).select_related(
        "assessment__course__term", "assessment__course__subject"
    )


def student_course_average(*, student: User | int, course: Course) -> Decimal | None:
    rows = published_grades(student=student).filter(assessment__course=course)
    return grading.weighted_average(
        (g.score, g.assessment.max_score, g.assessment.weight) for g in rows
    )


def _term_state(*, term: Term, courses: list[Course], grades: list[Grade]) -> dict[str, Any]:
    by_course: dict[int, list[Grade]] = {}
    for grade in grades:
        by_course.setdefault(grade.assessment.course_id, []).append(grade)
    course_states: list[dict[str, Any]] = []
    for course in courses:
        rows = sorted(by_course.get(course.pk, []), key=lambda g: (g.assessment.position, g.pk))
        average = grading.weighted_average(
            (g.score, g.assessment.max_score, g.assessment.weight) for g in rows
        )
        course_states.append(
            {
                "id": course.pk,
                "name": course.name,
                "subject": course.subject.name,
                "average": average,
                "grades": [grade_row(g) for g in rows],
            }
        )
    return {
        "id": term.pk,
        "name": term.name,
        "starts_on": term.starts_on,
        "ends_on": term.ends_on,
        "average": grading.mean(c["average"] for c in course_states),
        "courses": course_states,
    }


def student_grades(*, student: User, term: Term | None = None) -> list[dict[str, Any]]:
    """The student's terms (newest first), each with their courses, published grades and
    averages. Decimals are kept as Decimal; grades_json turns them into text."""
    enrolments = Enrolment.objects.filter(student=student).select_related(
        "course__term", "course__subject"
    )
    if term is not None:
        enrolments = enrolments.filter(course__term=term)
    courses_by_term: dict[int, list[Course]] = {}
    terms: dict[int, Term] = {}
    for enrolment in enrolments:
        course = enrolment.course
        terms[course.term_id] = course.term
        courses_by_term.setdefault(course.term_id, []).append(course)
    grades = list(published_grades(student=student).filter(assessment__course__term__in=terms))
    ordered = sorted(terms.values(), key=lambda t: (t.starts_on, t.pk), reverse=True)
    return [
        _term_state(
            term=t,
            courses=sorted(courses_by_term[t.pk], key=lambda c: c.name),
            grades=[g for g in grades if g.assessment.course.term_id == t.pk],
        )
        for t in ordered
    ]


def _averaged(state: dict[str, Any], scale: grading.Scale) -> None:
    """An average as the page writes it in the school's scale ("8.5", "B"), whether it passes,
    and the exact percentage it comes from (decimals as text)."""
    percentage = state["average"]
    state["average"] = None if percentage is None else grading.display(percentage, scale)
    state["average_percent"] = grading.decimal_text(percentage)
    state["passing"] = None if percentage is None else grading.passing(percentage, scale)


def grades_json(*, student: User) -> dict[str, Any]:
    """The "my grades" state as JSON: averages already in the school's scale (no client
    recomputes or converts them), beside their percentages; decimals as text."""
    scale = grading.school_scale()
    terms = student_grades(student=student)
    for term in terms:
        _averaged(term, scale)
        term["starts_on"] = term["starts_on"].isoformat()
        term["ends_on"] = term["ends_on"].isoformat()
        for course in term["courses"]:
            _averaged(course, scale)
    return {"scale": {"kind": scale.kind, "decimals": scale.decimals}, "terms": terms}


def term_report(*, student: User, term: Term) -> dict[str, Any] | None:
    """The student's report for one term, or None if they took no course in it."""
    terms = student_grades(student=student, term=term)
    return terms[0] if terms else None


# --- administrators' gradebook ---------------------------------------------------------------


def term_entry_open(term: Term) -> bool:
    return term.entry_opens_on <= tenant_today() <= term.entry_closes_on


def unpublished_grades() -> QuerySet[Grade]:
    """What publishing would send: draft grades and draft corrections of published ones."""
    return Grade.objects.filter(Q(status=GradeStatus.DRAFT) | Q(pending_score__isnull=False))


def _count(rows: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of `rows` as a correlated subquery (a plain Func: Django adds no GROUP BY)."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def term_list() -> QuerySet[Term]:
    return Term.objects.all()


def course_list(*, term: Term | None = None, taught_by: User | None = None) -> QuerySet[Course]:
    """The courses, with their teachers; `taught_by`: only that teacher's."""
    courses = Course.objects.select_related("term", "subject").prefetch_related("teachers")
    if taught_by is not None:
        courses = courses.filter(teachers=taught_by)
    # Counted in subqueries: two counts over joins of the same query multiply each other
    # (each draft was counted once per enrolled student).
    courses = courses.annotate(
        students=_count(Enrolment.objects.filter(course=OuterRef("pk"))),
        drafts=_count(unpublished_grades().filter(assessment__course=OuterRef("pk"))),
    )
    if term is not None:
        courses = courses.filter(term=term)
    return courses.order_by("-term__starts_on", "name")


@dataclass(frozen=True)
class GradebookCell:
    key: str
    assessment: Assessment
    grade: Grade | None
    value: str


@dataclass(frozen=True)
class GradebookRow:
    student: User
    cells: list[GradebookCell]
    average: Decimal | None


def gradebook(
    *, course: Course, submitted: dict[str, str] | None = None
) -> tuple[list[Assessment], list[GradebookRow]]:
    """The grid of a course: a row per enrolled student, a cell per assessment. `submitted`
    (cell key → text) re-shows what the administrator typed when a save was refused."""
    assessments = list(course.assessments.all())
    students = [
        e.student
        for e in course.enrolments.select_related("student").order_by(
            "student__full_name", "student__email"
        )
    ]
    grades = {
        (g.assessment_id, g.student_id): g for g in Grade.objects.filter(assessment__course=course)
    }
    rows = []
    for student in students:
        cells = []
        for assessment in assessments:
            key = cell_key(assessment.pk, student.pk)
            grade = grades.get((assessment.pk, student.pk))
            value = f"{grade.working_score.normalize():f}" if grade else ""
            if submitted is not None and key in submitted:
                value = submitted[key]
            cells.append(GradebookCell(key=key, assessment=assessment, grade=grade, value=value))
        average = grading.weighted_average(
            (c.grade.working_score, c.assessment.max_score, c.assessment.weight)
            for c in cells
            if c.grade is not None
        )
        rows.append(GradebookRow(student=student, cells=cells, average=average))
    return assessments, rows


def students() -> QuerySet[User]:
    return User.objects.filter(role=Role.STUDENT, is_active=True).order_by("full_name", "email")


# --- invoices and payments -------------------------------------------------------------------

_BALANCE = ExpressionWrapper(F("amount") - F("amount_paid"), output_field=DecimalField())


def fee_list() -> QuerySet[FeeItem]:
    return FeeItem.objects.order_by("-is_active", "name")


def student_balance(*, student: User | int) -> Decimal:
    """What the student still owes over all their open invoices."""
    total = Invoice.objects.filter(student=student, status__in=OPEN_STATUSES).aggregate(
        total=Coalesce(Sum(_BALANCE), Decimal("0"), output_field=DecimalField())
    )["total"]
    return Decimal(total).quantize(grading.CENT)


def student_invoices(*, student: User) -> QuerySet[Invoice]:
    return Invoice.objects.filter(student=student).order_by("-issued_on", "-id")


def student_balance_text(*, student: User) -> str:
    return money_text(student_balance(student=student), tenant_currency())


def balance_json(*, student: User) -> dict[str, Any]:
    """The "my invoices" state as JSON."""
    balance = student_balance(student=student)
    currency = tenant_currency()
    return {
        "balance": str(balance),
        "balance_text": money_text(balance, currency),
        "currency": currency,
        "invoices": [invoice_state(i) for i in student_invoices(student=student)],
    }


def invoice_list(
    *,
    status: str = "",
    student_id: int | None = None,
    search: str = "",
    due_from: date | None = None,
    due_to: date | None = None,
) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("student").order_by("-issued_on", "-id")
    if status == "open":
        invoices = invoices.filter(status__in=OPEN_STATUSES)
    elif status:
        invoices = invoices.filter(status=status)
    if student_id:
        invoices = invoices.filter(student_id=student_id)
    if search:
        term = search.strip()
        match = Q(description__icontains=term) | Q(student__full_name__icontains=term)
        match |= Q(student__email__icontains=term)
        number = term.upper().removeprefix("INV-")
        if number.isdigit():
            match |= Q(pk=int(number))
        invoices = invoices.filter(match)
    if due_from:
        invoices = invoices.filter(due_on__gte=due_from)
    if due_to:
        invoices = invoices.filter(due_on__lte=due_to)
    return invoices


def invoice_payments(*, invoice: Invoice) -> QuerySet[Payment]:
    return invoice.payments.select_related("recorded_by").order_by("received_at", "id")


def payments_recent(*, limit: int = 50) -> list[Payment]:
    return list(
        Payment.objects.select_related("invoice__student").order_by("-received_at", "-id")[:limit]
    )


def payments_feed_json(*, limit: int = 50) -> dict[str, Any]:
    return {"payments": [payment_row(p) for p in payments_recent(limit=limit)]}


# --- overviews (dashboard) -------------------------------------------------------------------


def admin_overview() -> dict[str, Any]:
    return {**admin_totals(), "recent_payments": payments_recent(limit=5)}


def admin_totals() -> dict[str, Any]:
    """The overview's figures, live on the page (school.services.totals)."""
    currency = tenant_currency()
    today = tenant_today()
    open_invoices = Invoice.objects.filter(status__in=OPEN_STATUSES)
    outstanding = open_invoices.aggregate(
        total=Coalesce(Sum(_BALANCE), Decimal("0"), output_field=DecimalField())
    )["total"]
    return {
        "drafts": unpublished_grades().count(),
        "open_terms": Term.objects.filter(
            entry_opens_on__lte=today, entry_closes_on__gte=today
        ).count(),
        "courses": Course.objects.count(),
        "students": students().count(),
        "outstanding_text": money_text(Decimal(outstanding), currency),
        "overdue": open_invoices.filter(status=InvoiceStatus.OVERDUE).count(),
    }


def student_overview(*, student: User) -> dict[str, Any]:
    terms = student_grades(student=student)
    balance = student_balance(student=student)
    return {
        "term": terms[0] if terms else None,
        "balance_text": money_text(balance, tenant_currency()),
        "open_invoices": student_invoices(student=student).filter(status__in=OPEN_STATUSES),
        "recent_grades": published_grades(student=student).order_by("-published_at")[:5],
    }


# --- families ----------------------------------------------------------------------------------


def family_of(*, student: User | int) -> list[int]:
    """The ids of a student's guardians: who receives a copy of the student's notifications."""
    return sorted(
        Guardianship.objects.filter(student=student).values_list("guardian_id", flat=True)
    )


def children_of(*, guardian: User) -> QuerySet[User]:
    """A guardian's children, the only students whose records they may see."""
    return User.objects.filter(role=Role.STUDENT, guardianships__guardian=guardian).order_by(
        "full_name", "email"
    )


def guardian_overview(*, guardian: User) -> dict[str, Any]:
    """Each child with what their own overview leads with: the term average, what is owed."""
    return {
        "children": [
            {"student": child, **student_overview(student=child)}
            for child in children_of(guardian=guardian)
        ]
    }


# --- teachers and groups -----------------------------------------------------------------------


def teachers() -> QuerySet[User]:
    return User.objects.filter(role=Role.TEACHER, is_active=True).order_by("full_name", "email")


def group_list() -> QuerySet[ClassGroup]:
    return ClassGroup.objects.annotate(member_count=Count("students")).order_by("name")
