"""Writes of the school's calendar and structure: school years and their terms, subjects,
courses (a subject taught to a group during a term, by its teachers) and who is enrolled in
them. Administrators set these up before the first grade; the rules that keep the records
coherent (terms of a year do not overlap, a term's dates lock once it has grades, a student's
grades stay with the courses they were graded in) live here."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import Role
from school.clock import tenant_today
from school.errors import Conflict
from school.models import (
    ClassGroup,
    Course,
    Enrolment,
    Grade,
    SchoolYear,
    StudentRecord,
    Subject,
    Term,
)
from school.services.common import require_administrator, require_student


def _day(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# --- school years ----------------------------------------------------------------------------


def _check_year(
    *, name: str, starts_on: date, ends_on: date, year: SchoolYear | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    others = SchoolYear.objects.exclude(pk=year.pk) if year else SchoolYear.objects.all()
    if not name:
        errors["name"] = gettext("A school year needs a name.")
    elif others.filter(name__iexact=name).exists():
        errors["name"] = gettext("There is already a school year called %(name)s.") % {"name": name}
    if ends_on < starts_on:
        errors["ends_on"] = gettext("A school year cannot end before it starts.")
        return errors
    overlapping = others.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).first()
    if overlapping:
        errors["starts_on"] = gettext(
            "These dates overlap %(year)s (%(start)s - %(end)s): school years do not overlap."
        ) % {
            "year": overlapping,
            "start": _day(overlapping.starts_on),
            "end": _day(overlapping.ends_on),
        }
    if year is not None:
        outside = year.terms.filter(Q(starts_on__lt=starts_on) | Q(ends_on__gt=ends_on)).first()
        if outside:
            errors["ends_on"] = gettext(
                "%(term)s (%(start)s - %(end)s) would fall outside the year: "
                "a year's terms lie inside its dates."
            ) % {"term": outside, "start": _day(outside.starts_on), "end": _day(outside.ends_on)}
    return errors


def school_year_create(*, name: str, starts_on: date, ends_on: date) -> SchoolYear:
    name = name.strip()
    errors = _check_year(name=name, starts_on=starts_on, ends_on=ends_on, year=None)
    if errors:
        raise ValidationError(errors)
    return SchoolYear.objects.create(name=name, starts_on=starts_on, ends_on=ends_on)


def school_year_update(
    *, year: SchoolYear, name: str, starts_on: date, ends_on: date
) -> SchoolYear:
    name = name.strip()
    errors = _check_year(name=name, starts_on=starts_on, ends_on=ends_on, year=year)
    if errors:
        raise ValidationError(errors)
    year.name, year.starts_on, year.ends_on = name, starts_on, ends_on
    year.save(update_fields=["name", "starts_on", "ends_on"])
    return year


# --- terms -----------------------------------------------------------------------------------


def term_has_grades(term: Term) -> bool:
    return Grade.objects.filter(assessment__course__term=term).exists()


def _check_term(
    *,
    year: SchoolYear,
    name: str,
    starts_on: date,
    ends_on: date,
    entry_opens_on: date,
    entry_closes_on: date,
    term: Term | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    others = Term.objects.exclude(pk=term.pk) if term else Term.objects.all()
    if not name:
        errors["name"] = gettext("A term needs a name.")
    elif others.filter(name__iexact=name).exists():
        errors["name"] = gettext("There is already a term called %(name)s.") % {"name": name}
    if entry_closes_on < entry_opens_on:
        errors["entry_closes_on"] = gettext("The grade-entry window cannot close before it opens.")
    if ends_on < starts_on:
        errors["ends_on"] = gettext("A term cannot end before it starts.")
        return errors
    if starts_on < year.starts_on or ends_on > year.ends_on:
        errors["starts_on"] = gettext(
            "A term of %(year)s lies between %(start)s and %(end)s (the year's dates)."
        ) % {"year": year, "start": _day(year.starts_on), "end": _day(year.ends_on)}
        return errors
    overlapping = (
        others.filter(year=year, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if overlapping:
        errors["starts_on"] = gettext(
            "These dates overlap %(term)s (%(start)s - %(end)s): "
            "the terms of a year do not overlap."
        ) % {
            "term": overlapping,
            "start": _day(overlapping.starts_on),
            "end": _day(overlapping.ends_on),
        }
    return errors


def term_create(
    *,
    year: SchoolYear,
    name: str,
    starts_on: date,
    ends_on: date,
    entry_opens_on: date,
    entry_closes_on: date,
) -> Term:
    name = name.strip()
    dates = {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "entry_opens_on": entry_opens_on,
        "entry_closes_on": entry_closes_on,
    }
    with transaction.atomic():
        # One writer at a time per year: two overlapping terms cannot slip in side by side.
        SchoolYear.objects.select_for_update().get(pk=year.pk)
        errors = _check_term(year=year, name=name, term=None, **dates)
        if errors:
            raise ValidationError(errors)
        return Term.objects.create(year=year, name=name, **dates)


def term_update(
    *,
    term: Term,
    name: str,
    starts_on: date,
    ends_on: date,
    entry_opens_on: date,
    entry_closes_on: date,
) -> Term:
    """Rename a term, move its grade-entry window, or change its dates — the dates only while
    it has no grades (the grades were given for the term as it was)."""
    name = name.strip()
    year = term.year
    if year is None:
        raise ValidationError(gettext("This term belongs to no school year."))
    dates = {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "entry_opens_on": entry_opens_on,
        "entry_closes_on": entry_closes_on,
    }
    with transaction.atomic():
        SchoolYear.objects.select_for_update().get(pk=year.pk)
        locked = Term.objects.select_for_update().get(pk=term.pk)
        moved = (starts_on, ends_on) != (locked.starts_on, locked.ends_on)
        if moved and term_has_grades(locked):
            raise Conflict(
                gettext(
                    "%(term)s already has grades: its dates (%(start)s - %(end)s) can no "
                    "longer change. Its name and grade-entry window still can."
                )
                % {"term": locked, "start": _day(locked.starts_on), "end": _day(locked.ends_on)}
            )
        errors = _check_term(year=year, name=name, term=locked, **dates)
        if errors:
            raise ValidationError(errors)
        locked.name = name
        for field, value in dates.items():
            setattr(locked, field, value)
        locked.save(update_fields=["name", *dates])
        return locked


# --- subjects and courses --------------------------------------------------------------------


def subject_create(*, code: str, name: str) -> Subject:
    code, name = code.strip().upper(), name.strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = gettext("A subject needs a code.")
    elif Subject.objects.filter(code=code).exists():
        errors["code"] = gettext("The subject code %(code)s is taken.") % {"code": code}
    if not name:
        errors["name"] = gettext("A subject needs a name.")
    if errors:
        raise ValidationError(errors)
    return Subject.objects.create(code=code, name=name)


def _require_teachers(teachers: Iterable[User]) -> list[User]:
    chosen = list(teachers)
    for teacher in chosen:
        if teacher.role != Role.TEACHER:
            raise ValidationError(
                {
                    "teachers": gettext("%(name)s is not a teacher of this school.")
                    % {"name": teacher.display_name}
                }
            )
    return chosen


def course_create(
    *,
    subject: Subject,
    group: ClassGroup | None,
    term: Term,
    teachers: Iterable[User] = (),
    name: str = "",
) -> Course:
    """A subject taught to a group during a term. Its name defaults to "Subject Group"."""
    chosen = _require_teachers(teachers)
    default = f"{subject.name} {group.name}" if group else f"{subject.name} ({term.name})"
    name = name.strip() or default
    if group is not None and Course.objects.filter(term=term, subject=subject, group=group):
        raise ValidationError(
            {
                "subject": gettext("%(group)s already has %(subject)s in %(term)s.")
                % {"group": group, "subject": subject, "term": term}
            }
        )
    if Course.objects.filter(term=term, name=name).exists():
        raise ValidationError(
            {
                "name": gettext("%(term)s already has a course called %(name)s.")
                % {"term": term, "name": name}
            }
        )
    with transaction.atomic():
        course = Course.objects.create(term=term, subject=subject, group=group, name=name)
        course.teachers.set(chosen)
    return course


# --- enrolment -------------------------------------------------------------------------------


def _has_grades(student: User, course: Course) -> bool:
    return Grade.objects.filter(assessment__course=course, student=student).exists()


def student_enrol(*, student: User, course: Course) -> Enrolment:
    require_student(student)
    enrolment, created = Enrolment.objects.get_or_create(course=course, student=student)
    if not created:
        raise Conflict(
            gettext("%(student)s is already enrolled in %(course)s.")
            % {"student": student.display_name, "course": course}
        )
    return enrolment


def student_unenrol(*, student: User, course: Course) -> None:
    """Take a student out of a course that has none of their grades (grades stay where they
    were given: a course with some keeps the student)."""
    enrolment = Enrolment.objects.filter(course=course, student=student).first()
    if enrolment is None:
        raise Conflict(
            gettext("%(student)s is not enrolled in %(course)s.")
            % {"student": student.display_name, "course": course}
        )
    if _has_grades(student, course):
        raise Conflict(
            gettext(
                "%(student)s has grades in %(course)s: they stay enrolled so the grades "
                "stay with the course."
            )
            % {"student": student.display_name, "course": course}
        )
    enrolment.delete()


def _group_students(group: ClassGroup) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.STUDENT, student_record__group=group, is_active=True
        ).order_by("pk")
    )


def group_enrol_in_courses(*, group: ClassGroup, term: Term) -> int:
    """Enrol every student of `group` in each of its courses of `term`; running it again
    enrols only who is missing. Returns how many enrolments were made."""
    courses = list(Course.objects.filter(group=group, term=term))
    if not courses:
        raise ValidationError(
            gettext("%(group)s has no courses in %(term)s yet: add them first.")
            % {"group": group, "term": term}
        )
    made = 0
    with transaction.atomic():
        for course in courses:
            for student in _group_students(group):
                _enrolment, created = Enrolment.objects.get_or_create(
                    course=course, student=student
                )
                made += created
    return made


@dataclass(frozen=True)
class GroupMove:
    left: list[Course]  # courses of the old group the student no longer takes
    kept: list[Course]  # courses of the old group kept because they hold the student's grades
    joined: list[Course]  # courses of the new group the student now takes


def student_move_group(*, student: User, group: ClassGroup, by: User) -> GroupMove:
    """Put a student in `group` (a first group or a move mid-year). For the terms not over
    yet, they leave the old group's courses and join the new group's; a course where they
    already have grades keeps them, so their grades stay with the courses they were given in.
    Past terms are history and stay as they were."""
    require_administrator(by)
    require_student(student)
    record = StudentRecord.objects.select_for_update().filter(student=student)
    with transaction.atomic():
        found = record.first()
        if found is None:
            raise ValidationError(
                gettext("%(name)s has no enrolment number yet: add it on their page first.")
                % {"name": student.display_name}
            )
        old = found.group
        if old is not None and old.pk == group.pk:
            raise Conflict(
                gettext("%(name)s is already in %(group)s.")
                % {"name": student.display_name, "group": group}
            )
        found.group = group
        found.save(update_fields=["group"])
        current_terms = Term.objects.filter(ends_on__gte=tenant_today())
        left: list[Course] = []
        kept: list[Course] = []
        if old is not None:
            for enrolment in Enrolment.objects.filter(
                student=student, course__group=old, course__term__in=current_terms
            ).select_related("course"):
                if _has_grades(student, enrolment.course):
                    kept.append(enrolment.course)
                else:
                    left.append(enrolment.course)
                    enrolment.delete()
        joined: list[Course] = []
        for course in Course.objects.filter(group=group, term__in=current_terms):
            _enrolment, created = Enrolment.objects.get_or_create(course=course, student=student)
            if created:
                joined.append(course)
    return GroupMove(left=left, kept=kept, joined=joined)


# --- removing what was made by mistake -------------------------------------------------------
# Only what nothing else hangs on can go: a year without terms, a term or a subject without
# courses, a course nobody has been graded in (its enrolments and empty columns go with it).
# Grades, and what they were given in, are records: they stay.


@transaction.atomic
def school_year_delete(*, year: SchoolYear) -> None:
    if year.terms.exists():
        raise Conflict(gettext("%(year)s has terms: delete them first.") % {"year": year})
    year.delete()


@transaction.atomic
def term_delete(*, term: Term) -> None:
    if term.courses.exists():
        raise Conflict(gettext("%(term)s has courses: delete them first.") % {"term": term})
    term.delete()


@transaction.atomic
def subject_delete(*, subject: Subject) -> None:
    if subject.courses.exists():
        raise Conflict(
            gettext("%(subject)s is taught in courses: delete them first.") % {"subject": subject}
        )
    subject.delete()


@transaction.atomic
def course_delete(*, course: Course) -> None:
    if Grade.objects.filter(assessment__course=course).exists():
        raise Conflict(
            gettext("%(course)s has grades, which are kept: it cannot be deleted.")
            % {"course": course}
        )
    course.delete()
