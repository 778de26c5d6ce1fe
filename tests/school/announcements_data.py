"""A small school for the announcement tests, and a second one: groups in two levels, a course
per group, families (one guardian with two children in one group), a teacher of one course and
a teacher of another, a course whose term has ended, and an inactive student."""

import itertools
from dataclasses import dataclass
from datetime import timedelta

from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from school.clock import tenant_today
from school.models import ClassGroup, Course, Enrolment, Guardianship, StudentRecord, Subject, Term
from tenants.models import Tenant
from tests.factories import make_user

_serial = itertools.count(1)


@dataclass
class Town:
    admin: User
    admin2: User  # a second administrator: on the whole school's list
    teacher: User  # teaches course c1 (group g1) this term, and an ended course of g1
    other_teacher: User  # teaches c2 (group g2)
    s1: User  # g1, level 1°
    s2: User  # g1
    s3: User  # g2, level 1°
    s4: User  # g3, level 2°
    inactive: User  # g1, deactivated
    g12: User  # guardian of s1 and s2
    g3: User  # guardian of s3
    g4: User  # guardian of s4
    g1: ClassGroup
    g2: ClassGroup
    g3_group: ClassGroup
    empty_group: ClassGroup
    c1: Course
    c2: Course
    ended: Course
    # the second school
    admin_b: User
    student_b: User
    guardian_b: User
    group_b: ClassGroup

    def name_of(self, pk: int) -> str:
        for name, value in vars(self).items():
            if isinstance(value, User) and value.pk == pk:
                return name
        # someone the test did not make (the school's onboarding administrator)
        other = User.objects.filter(pk=pk).values_list("role", flat=True).first()
        return f"another {other}"


def _term(*, ended: bool = False) -> Term:
    today = tenant_today()
    end = today - timedelta(days=1) if ended else today + timedelta(days=60)
    return Term.objects.create(
        name=f"Term {next(_serial)}",
        starts_on=end - timedelta(days=120),
        ends_on=end,
        entry_opens_on=end - timedelta(days=20),
        entry_closes_on=end,
    )


def _course(term: Term, group: ClassGroup, students: list[User], teacher: User | None) -> Course:
    n = next(_serial)
    subject = Subject.objects.create(code=f"A{n}", name=f"Subject {n}")
    course = Course.objects.create(term=term, subject=subject, group=group, name=f"Course {n}")
    for student in students:
        Enrolment.objects.create(course=course, student=student)
    if teacher is not None:
        course.teachers.add(teacher)
    return course


def _place(student: User, group: ClassGroup) -> None:
    StudentRecord.objects.create(student=student, enrolment_number=f"E{next(_serial)}", group=group)


def make_town(school: Tenant, school_b: Tenant) -> Town:
    u = {
        name: make_user(school, role, name=name.upper())
        for name, role in [
            ("admin", Role.ADMINISTRATOR),
            ("admin2", Role.ADMINISTRATOR),
            ("teacher", Role.TEACHER),
            ("other_teacher", Role.TEACHER),
            ("s1", Role.STUDENT),
            ("s2", Role.STUDENT),
            ("s3", Role.STUDENT),
            ("s4", Role.STUDENT),
            ("inactive", Role.STUDENT),
            ("g12", Role.GUARDIAN),
            ("g3", Role.GUARDIAN),
            ("g4", Role.GUARDIAN),
        ]
    }
    b = {
        name: make_user(school_b, role, name=name.upper())
        for name, role in [
            ("admin_b", Role.ADMINISTRATOR),
            ("student_b", Role.STUDENT),
            ("guardian_b", Role.GUARDIAN),
        ]
    }
    with tenant_context(school_b):
        # the same names as the first school's, and more groups, so ids overlap and run past
        group_b = ClassGroup.objects.create(name="1° A", level="1°")
        for n in range(6):
            ClassGroup.objects.create(name=f"B {n}", level="9°")
        _place(b["student_b"], group_b)
        Guardianship.objects.create(guardian=b["guardian_b"], student=b["student_b"])
        _course(_term(), group_b, [b["student_b"]], None)
    with tenant_context(school):
        g1 = ClassGroup.objects.create(name="1° A", level="1°")
        g2 = ClassGroup.objects.create(name="1° B", level="1°")
        g3 = ClassGroup.objects.create(name="2° A", level="2°")
        empty = ClassGroup.objects.create(name="3° A", level="3°")
        for student, group in [
            ("s1", g1),
            ("s2", g1),
            ("s3", g2),
            ("s4", g3),
            ("inactive", g1),
        ]:
            _place(u[student], group)
        User.objects.filter(pk=u["inactive"].pk).update(is_active=False)
        # The school holds the town's people only: whoever earlier tests left (the onboarding
        # administrator, or nobody once a live test emptied the tables) is put aside.
        User.objects.exclude(pk__in=[user.pk for user in u.values()]).update(is_active=False)
        for guardian, students in [("g12", ["s1", "s2"]), ("g3", ["s3"]), ("g4", ["s4"])]:
            for student in students:
                Guardianship.objects.create(guardian=u[guardian], student=u[student])
        term = _term()
        c1 = _course(term, g1, [u["s1"], u["s2"]], u["teacher"])
        c2 = _course(term, g2, [u["s3"]], u["other_teacher"])
        ended = _course(_term(ended=True), g1, [u["s1"]], u["teacher"])
    return Town(
        **u,
        g1=g1,
        g2=g2,
        g3_group=g3,
        empty_group=empty,
        c1=c1,
        c2=c2,
        ended=ended,
        **b,
        group_b=group_b,
    )
