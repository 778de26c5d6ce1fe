"""Reads of the school's calendar and structure, and the setup checklist a new school follows
(school years → terms → groups → subjects → courses → enrolment → first grade)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from school.models import (
    ClassGroup,
    Course,
    Enrolment,
    Grade,
    GradeStatus,
    SchoolYear,
    StudentRecord,
    Subject,
    Term,
)


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: Promise
    hint: Promise
    done: bool
    url: str


def setup_steps() -> list[SetupStep]:
    """The checklist, in the order the records depend on each other."""
    first_course = Course.objects.order_by("pk").first()
    grade_url = (
        reverse("school:gradebook", args=[first_course.pk])
        if first_course
        else reverse("school:courses")
    )
    return [
        SetupStep(
            "years",
            _("Add a school year"),
            _("Its name and dates, e.g. 2026-2027."),
            SchoolYear.objects.exists(),
            reverse("school:setup_years"),
        ),
        SetupStep(
            "terms",
            _("Add the year's terms"),
            _("Their dates and when grades may be entered."),
            Term.objects.exists(),
            reverse("school:setup_terms"),
        ),
        SetupStep(
            "groups",
            _("Add groups"),
            _("The groups of students who share a timetable, e.g. 3° A."),
            ClassGroup.objects.exists(),
            reverse("school:setup_groups"),
        ),
        SetupStep(
            "subjects",
            _("Add subjects"),
            _("What is taught, e.g. Mathematics."),
            Subject.objects.exists(),
            reverse("school:setup_subjects"),
        ),
        SetupStep(
            "courses",
            _("Add courses"),
            _("A subject taught to a group during a term, and its teachers."),
            Course.objects.exists(),
            reverse("school:setup_courses"),
        ),
        SetupStep(
            "enrolment",
            _("Enrol students"),
            _("Put students in groups and enrol each group in its courses."),
            Enrolment.objects.exists(),
            reverse("school:setup_enrolment"),
        ),
        SetupStep(
            "grade",
            _("Publish a first grade"),
            _("Add an assessment to a course's gradebook, enter grades and publish them."),
            Grade.objects.filter(status=GradeStatus.PUBLISHED).exists(),
            grade_url,
        ),
    ]


def setup_overview() -> dict[str, Any]:
    steps = setup_steps()
    pending = [step for step in steps if not step.done]
    return {
        "steps": steps,
        "setup_done": not pending,
        "next_step": pending[0] if pending else None,
        "steps_done": len(steps) - len(pending),
    }


def school_year_list() -> QuerySet[SchoolYear]:
    return SchoolYear.objects.annotate(term_count=Count("terms")).order_by("-starts_on")


def term_list() -> QuerySet[Term]:
    graded = Grade.objects.filter(assessment__course__term=OuterRef("pk"))
    return (
        Term.objects.select_related("year")
        .annotate(course_count=Count("courses"), has_grades=Exists(graded))
        .order_by("-starts_on")
    )


def group_list() -> QuerySet[ClassGroup]:
    return ClassGroup.objects.annotate(student_count=Count("students", distinct=True)).order_by(
        "level", "name"
    )


def subject_list() -> QuerySet[Subject]:
    return Subject.objects.annotate(course_count=Count("courses")).order_by("name")


def teachers() -> QuerySet[User]:
    return User.objects.filter(role=Role.TEACHER, is_active=True).order_by("full_name", "email")


def course_list() -> QuerySet[Course]:
    return (
        Course.objects.select_related("term", "subject", "group")
        .prefetch_related(Prefetch("teachers", queryset=teachers()))
        .annotate(student_count=Count("enrolments", distinct=True))
        .order_by("-term__starts_on", "group__level", "group__name", "subject__name")
    )


def student_records() -> QuerySet[StudentRecord]:
    return StudentRecord.objects.filter(
        student__role=Role.STUDENT, student__is_active=True
    ).select_related("student", "group")


def students_without_record() -> QuerySet[User]:
    return User.objects.filter(
        role=Role.STUDENT, is_active=True, student_record__isnull=True
    ).order_by("full_name", "email")


def enrolment_overview() -> dict[str, Any]:
    """Each group with its students, and each group's courses per term with how many of its
    students are enrolled (so the page can say which groups still need enrolling)."""
    records = list(student_records().order_by("group__level", "group__name", "student__full_name"))
    courses = list(
        Course.objects.filter(group__isnull=False)
        .select_related("term", "group", "subject")
        .annotate(student_count=Count("enrolments", distinct=True))
        .order_by("-term__starts_on", "group__level", "group__name", "subject__name")
    )
    group_sizes = dict(ClassGroup.objects.annotate(n=Count("students")).values_list("pk", "n"))
    pairs: dict[tuple[int, int], dict[str, Any]] = {}
    for course in courses:
        assert course.group is not None
        pair = pairs.setdefault(
            (course.group.pk, course.term.pk),
            {"group": course.group, "term": course.term, "courses": [], "missing": 0},
        )
        pair["courses"].append(course)
        pair["missing"] += max(group_sizes.get(course.group.pk, 0) - course.student_count, 0)
    return {
        "records": records,
        "group_terms": list(pairs.values()),
        "unplaced": [r for r in records if r.group is None],
        "without_record": students_without_record(),
    }


def student_courses(*, student: User) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(student=student)
        .select_related("course__term", "course__subject", "course__group")
        .order_by("-course__term__starts_on", "course__name")
    )
