"""Committed test data for the browser tests (live_db: Daphne and the worker must see it).

Every helper runs on a thread of its own: Playwright's sync API leaves the test's thread
looking like a running event loop, where the post-commit publishing of notifications
(async_to_sync) refuses to run and live copies would be lost."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import connections
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from accounts.models import User
from accounts.roles import Role
from clinic.models import Appointment
from clinic.services.appointments import appointment_confirm, appointment_request
from realtime.models import Notification
from school.clock import tenant_today
from school.models import Course, Grade
from school.services.grades import grade_publish
from tenants.models import Domain, Tenant
from testing.tenants import onboard
from tests.clinic.factories import Clinic, make_clinic, slot
from tests.factories import make_user
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice

P = ParamSpec("P")
T = TypeVar("T")


def off_the_browser_thread(fn: Callable[P, T]) -> Callable[P, T]:
    def in_thread(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(in_thread, *args, **kwargs).result(timeout=60)

    return run


new_user = off_the_browser_thread(make_user)


@dataclass
class Classroom:
    tenant: Tenant
    admin: User
    student: User
    course: Course
    published: Grade  # already on the student's page
    drafts: list[Grade]  # entered, not yet visible to the student


@off_the_browser_thread
def classroom(tenant: Tenant, *, drafts: int = 1, student_name: str = "Alice Martin") -> Classroom:
    """A course with one published grade and `drafts` draft grades of one student."""
    admin = make_user(tenant, Role.ADMINISTRATOR, name="Grace Admin")
    student = make_user(tenant, Role.STUDENT, name=student_name)
    with tenant_context(tenant):
        course = make_course(students=[student], name="Mathematics 9A")
        quiz = make_assessment(course, title="Quiz 1", max_score="20")
        published = make_grade(quiz, student, "15", by=admin, published=True)
        titles = ["Algebra test", "Geometry test", "Final exam"]
        scores = ["17", "12.5", "18"]
        entered = [
            make_grade(
                make_assessment(course, title=titles[i], max_score="20"),
                student,
                scores[i],
                by=admin,
            )
            for i in range(drafts)
        ]
    return Classroom(tenant, admin, student, course, published, entered)


@off_the_browser_thread
def publish(room: Classroom, grade: Grade) -> None:
    with tenant_context(room.tenant):
        grade_publish(grade=Grade.objects.get(pk=grade.pk), by=room.admin)


@off_the_browser_thread
def overdue_invoice(room: Classroom) -> None:
    """An unpaid invoice past its due date: the daily job will remind the student."""
    with tenant_context(room.tenant):
        make_invoice(
            room.student,
            by=room.admin,
            amount="250.00",
            description="Lab fees",
            due_on=tenant_today() - timedelta(days=3),
        )


@off_the_browser_thread
def notifications_of(tenant: Tenant, person: User, type: str) -> int:
    with tenant_context(tenant):
        return Notification.objects.filter(recipient=person, type=type).count()


@dataclass
class Practice:
    clinic: Clinic
    request: Appointment  # a patient's request waiting for the clinic's answer


@off_the_browser_thread
def practice_with_request(tenant: Tenant) -> Practice:
    with tenant_context(tenant):
        clinic = make_clinic(tenant)
        requested = appointment_request(
            patient=clinic.patient,
            dentist=clinic.dentist,
            appointment_type=clinic.checkup,
            starts_at=slot(days=2, hour=10),
        )
    return Practice(clinic, requested)


@off_the_browser_thread
def confirm(practice: Practice) -> None:
    with tenant_context(practice.clinic.tenant):
        appointment_confirm(
            appointment=Appointment.objects.get(pk=practice.request.pk), by=practice.clinic.dentist
        )


@off_the_browser_thread
def _tenant_drop(*, slug: str, domain: str) -> None:
    with schema_context(get_public_schema_name()):
        for leftover in Tenant.objects.filter(schema_name=slug):
            leftover.delete(force_drop=True)
        Domain.objects.filter(domain=domain).delete()


@off_the_browser_thread
def _tenant_onboard(*, slug: str, kind: str, domain: str, name: str) -> Tenant:
    with schema_context(get_public_schema_name()):
        return onboard(slug=slug, kind=kind, domain=domain, name=name)


@contextmanager
def freshly_onboarded(*, slug: str, kind: str, domain: str, name: str) -> Iterator[Tenant]:
    """A tenant onboarded the real way (what an operator's form does) for one test: empty but
    for its first administrator; dropped afterwards, and before in case a run was cut short."""
    _tenant_drop(slug=slug, domain=domain)
    tenant = _tenant_onboard(slug=slug, kind=kind, domain=domain, name=name)
    try:
        yield tenant
    finally:
        _tenant_drop(slug=slug, domain=domain)
