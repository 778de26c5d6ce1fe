"""Demo records for the demo school: a closed past term with published grades, a current term
with drafts and published grades, a fee catalogue, invoices in every state and payments."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from school.clock import tenant_currency, tenant_today
from school.models import Assessment, Course, Grade, GradeStatus, Invoice, Term
from school.services import grades, invoices, people, reminders, structure
from school.services.groups import group_create
from school.services.people import student_record_set
from tenants.models import Tenant

SUBJECTS = (("MATH", "Mathematics"), ("SCI", "Science"), ("ENG", "English"))
ASSESSMENTS = (("Quiz 1", "20", "1"), ("Midterm", "100", "2"), ("Essay", "50", "1"))
SCORES = {  # (student email prefix, subject) → scores per assessment
    ("lisa", "MATH"): ("19", "94", "47"),
    ("lisa", "SCI"): ("18.5", "91", "45"),
    ("lisa", "ENG"): ("20", "97", "49"),
    ("bart", "MATH"): ("11", "58", "29"),
    ("bart", "SCI"): ("13", "64", "31"),
    ("bart", "ENG"): ("9.5", "52", "33"),
}


# (guardian's e-mail prefix) → their children's; (teacher's) → the subject they teach.
FAMILIES = {"marge": ("lisa", "bart")}
TEACHING = {"largo": "ENG"}


def demo_seed(*, tenant: Tenant) -> None:
    """Runs inside the tenant's schema and a transaction; does nothing the second time."""
    admin = User.objects.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    students = list(User.objects.filter(role=Role.STUDENT).order_by("email"))
    if admin is None or not students:
        return
    # Families first, so the guardians receive their copies of what the seeding notifies.
    _link_families(students=students)
    if not Term.objects.exists():
        _seed_records(students=students, admin=admin)
    _assign_teachers(admin=admin)


def _prefix(user: User) -> str:
    return user.email.split("@")[0]


def _link_families(*, students: list[User]) -> None:
    for guardian in User.objects.filter(role=Role.GUARDIAN):
        names = FAMILIES.get(_prefix(guardian), ())
        children = [s for s in students if _prefix(s) in names]
        if children:
            people.guardianship_set(guardian=guardian, students=children)


def _assign_teachers(*, admin: User) -> None:
    for teacher in User.objects.filter(role=Role.TEACHER):
        code = TEACHING.get(_prefix(teacher))
        for course in Course.objects.filter(subject__code=code).exclude(teachers=teacher):
            grades.course_set_teachers(
                course=course, teachers=[*course.teachers.all(), teacher], by=admin
            )


def _seed_records(*, students: list[User], admin: User) -> None:
    today = tenant_today()
    subjects = [structure.subject_create(code=code, name=name) for code, name in SUBJECTS]
    group = group_create(name="9° A", level="9°")
    for number, student in enumerate(students, start=1):
        student_record_set(
            student=student, enrolment_number=f"{today.year}-{number:03d}", group=group
        )
    year = structure.school_year_create(
        name=f"{today.year - 1}-{today.year}",
        starts_on=today - timedelta(days=250),
        ends_on=today + timedelta(days=90),
    )
    past = structure.term_create(
        year=year,
        name=f"Autumn {today.year - 1}",
        starts_on=today - timedelta(days=240),
        ends_on=today - timedelta(days=120),
        entry_opens_on=today - timedelta(days=240),
        entry_closes_on=today - timedelta(days=110),
    )
    current = structure.term_create(
        year=year,
        name=f"Spring {today.year}",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=60),
        entry_opens_on=today - timedelta(days=60),
        entry_closes_on=today + timedelta(days=75),
    )
    for term in (past, current):
        for subject in subjects:
            course = structure.course_create(term=term, subject=subject, group=group)
            for student in students:
                structure.student_enrol(course=course, student=student)
            for title, max_score, weight in ASSESSMENTS:
                grades.assessment_create(
                    course=course,
                    title=title,
                    by=admin,
                    max_score=Decimal(max_score),
                    weight=Decimal(weight),
                )
    _seed_closed_term(term=past, students=students, admin=admin)
    _seed_current_term(term=current, students=students, admin=admin)
    _seed_payments(students=students, admin=admin)


def _score(student: User, course: Course, position: int) -> str:
    return SCORES.get((_prefix(student), course.subject.code), ("15", "75", "38"))[position]


def _seed_closed_term(*, term: Term, students: list[User], admin: User) -> None:
    # The term's entry window is over, so the services would (rightly) refuse: history is
    # written directly, as if it had been published back then.
    published_at = timezone.now() - timedelta(days=115)
    for assessment in Assessment.objects.filter(course__term=term).select_related("course"):
        for student in students:
            Grade.objects.create(
                assessment=assessment,
                student=student,
                entered_by=admin,
                score=Decimal(_score(student, assessment.course, assessment.position)),
                status=GradeStatus.PUBLISHED,
                published_at=published_at,
                updated_at=published_at,
            )


def _seed_current_term(*, term: Term, students: list[User], admin: User) -> None:
    for course in term.courses.select_related("subject"):
        for assessment in course.assessments.all():
            if assessment.position == 2:
                continue  # the essays are not marked yet
            for student in students:
                grades.grade_enter(
                    assessment=assessment,
                    student=student,
                    by=admin,
                    score=_score(student, course, assessment.position),
                )
        if course.subject.code != "ENG":
            grades.course_publish(course=course, by=admin)  # English stays in draft


def _seed_payments(*, students: list[User], admin: User) -> None:
    today = tenant_today()
    tuition = invoices.fee_create(name="Tuition (term)", amount="1200.00")
    lab = invoices.fee_create(name="Science lab fee", amount="80.00")
    invoices.fee_create(name="Field trip", amount="35.00")
    for student in students:
        bill = invoices.invoice_issue(
            student=student, fee=tuition, due_on=today + timedelta(days=20), by=admin
        )
        invoices.payment_record(invoice=bill, amount="500.00", method="transfer", by=admin)
        invoices.invoice_issue(student=student, fee=lab, due_on=today + timedelta(days=2), by=admin)
    # An invoice that fell due last week, so the daily run has something overdue to report.
    late = students[-1]
    Invoice.objects.create(
        student=late,
        fee=lab,
        description="Science lab fee (last term)",
        amount=lab.amount,
        currency=tenant_currency(),
        issued_on=today - timedelta(days=40),
        due_on=today - timedelta(days=7),
        issued_by=admin,
    )
    reminders.invoices_daily_run(today=today)
