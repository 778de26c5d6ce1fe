"""The rules of the school's calendar and structure: years and terms that do not overlap, a
term's dates locked once it has grades, courses with their teachers, idempotent group
enrolment, and a student moved mid-year whose grades stay with the courses they were given in."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import tenant_context

from accounts.roles import Role
from school.clock import tenant_today
from school.errors import Conflict
from school.models import ClassGroup, Enrolment, Grade, SchoolYear, Term
from school.services import structure
from school.services.grades import course_set_teachers
from school.services.groups import group_create
from school.services.people import student_record_set
from tenants.models import Tenant
from tests.factories import make_user
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_grade

pytestmark = pytest.mark.django_db


def _year(name: str = "2026-2027", start: date | None = None) -> SchoolYear:
    start = start or tenant_today() - timedelta(days=100)
    return structure.school_year_create(
        name=name, starts_on=start, ends_on=start + timedelta(days=300)
    )


def _term(year: SchoolYear, name: str, first_day: int, last_day: int) -> Term:
    starts = year.starts_on + timedelta(days=first_day)
    ends = year.starts_on + timedelta(days=last_day)
    return structure.term_create(
        year=year,
        name=name,
        starts_on=starts,
        ends_on=ends,
        entry_opens_on=starts,
        entry_closes_on=ends + timedelta(days=10),
    )


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# --- years and terms -------------------------------------------------------------------------


def test_school_years_do_not_overlap_and_end_after_they_start(school: Tenant) -> None:
    with tenant_context(school):
        year = _year()
        with pytest.raises(ValidationError) as overlap:
            structure.school_year_create(
                name="Other", starts_on=year.ends_on, ends_on=year.ends_on + timedelta(days=200)
            )
        assert "overlap 2026-2027" in _messages(overlap)
        with pytest.raises(ValidationError) as backwards:
            structure.school_year_create(
                name="Backwards", starts_on=date(2031, 5, 1), ends_on=date(2031, 1, 1)
            )
        assert "cannot end before it starts" in _messages(backwards)
        with pytest.raises(ValidationError) as twice:
            structure.school_year_create(
                name="2026-2027 ", starts_on=date(2032, 1, 1), ends_on=date(2032, 6, 1)
            )
        assert "already a school year called" in _messages(twice)
        assert SchoolYear.objects.count() == 1


def test_terms_of_one_year_do_not_overlap(school: Tenant) -> None:
    with tenant_context(school):
        year = _year()
        _term(year, "First", 0, 100)
        with pytest.raises(ValidationError) as overlap:
            _term(year, "Second", 100, 200)  # shares the first term's last day
        assert "overlap First" in _messages(overlap)
        second = _term(year, "Second", 101, 200)
        with pytest.raises(ValidationError):
            structure.term_update(
                term=second,
                name="Second",
                starts_on=year.starts_on + timedelta(days=50),
                ends_on=second.ends_on,
                entry_opens_on=second.entry_opens_on,
                entry_closes_on=second.entry_closes_on,
            )
        assert list(year.terms.order_by("starts_on").values_list("name", flat=True)) == [
            "First",
            "Second",
        ]


def test_terms_of_different_years_may_share_dates_but_lie_inside_their_year(
    school: Tenant,
) -> None:
    with tenant_context(school):
        year = _year()
        with pytest.raises(ValidationError) as outside:
            _term(year, "Too long", 0, 400)
        assert "the year's dates" in _messages(outside)
        _term(year, "First", 0, 100)
        # A school year cannot shrink away from its terms either.
        with pytest.raises(ValidationError) as shrink:
            structure.school_year_update(
                year=year,
                name=year.name,
                starts_on=year.starts_on + timedelta(days=10),
                ends_on=year.ends_on,
            )
        assert "outside the year" in _messages(shrink)


def test_bad_term_dates_are_refused_with_a_message(school: Tenant) -> None:
    with tenant_context(school):
        year = _year()
        with pytest.raises(ValidationError) as bad:
            structure.term_create(
                year=year,
                name="Backwards",
                starts_on=year.starts_on + timedelta(days=20),
                ends_on=year.starts_on + timedelta(days=10),
                entry_opens_on=year.starts_on + timedelta(days=30),
                entry_closes_on=year.starts_on + timedelta(days=5),
            )
        errors = bad.value.message_dict
        assert errors["ends_on"] == ["A term cannot end before it starts."]
        assert errors["entry_closes_on"] == ["The grade-entry window cannot close before it opens."]
        assert not Term.objects.exists()


def test_a_terms_dates_lock_once_it_has_grades(school: Tenant, people: People) -> None:
    with tenant_context(school):
        year = _year()
        term = _term(year, "First", 0, 150)
        course = structure.course_create(
            subject=structure.subject_create(code="MATH", name="Maths"), group=None, term=term
        )
        structure.student_enrol(student=people.alice, course=course)
        later = term.ends_on + timedelta(days=5)
        # Without grades the dates can move.
        structure.term_update(
            term=term,
            name="First",
            starts_on=term.starts_on,
            ends_on=later,
            entry_opens_on=term.entry_opens_on,
            entry_closes_on=term.entry_closes_on,
        )
        make_grade(make_assessment(course), people.alice, "9", by=people.admin)
        with pytest.raises(Conflict) as locked:
            structure.term_update(
                term=term,
                name="First",
                starts_on=term.starts_on,
                ends_on=later + timedelta(days=1),
                entry_opens_on=term.entry_opens_on,
                entry_closes_on=term.entry_closes_on,
            )
        assert "already has grades" in _messages(locked)
        # Its name and grade-entry window still change.
        structure.term_update(
            term=term,
            name="First term",
            starts_on=term.starts_on,
            ends_on=later,
            entry_opens_on=term.entry_opens_on,
            entry_closes_on=later + timedelta(days=30),
        )
        term.refresh_from_db()
        assert (term.name, term.ends_on) == ("First term", later)
        assert term.entry_closes_on == later + timedelta(days=30)


# --- subjects, groups, courses ---------------------------------------------------------------


def test_courses_have_teachers_and_one_per_subject_group_and_term(
    school: Tenant, people: People
) -> None:
    teacher = make_user(school, Role.TEACHER, name="Tina")
    co_teacher = make_user(school, Role.TEACHER, name="Tom")
    with tenant_context(school):
        term = _term(_year(), "First", 0, 100)
        group = group_create(name="3° A", level="3°")
        maths = structure.subject_create(code="math", name="Maths")
        course = structure.course_create(
            subject=maths, group=group, term=term, teachers=[teacher, co_teacher]
        )
        assert course.name == "Maths 3° A" and maths.code == "MATH"
        assert set(course.teachers.all()) == {teacher, co_teacher}
        with pytest.raises(ValidationError) as twice:
            structure.course_create(subject=maths, group=group, term=term)
        assert "3° A already has Maths in First" in _messages(twice)
        with pytest.raises(ValidationError) as not_teacher:
            course_set_teachers(course=course, teachers=[people.alice], by=people.admin)
        assert "Alice is not a teacher" in _messages(not_teacher)
        course_set_teachers(course=course, teachers=[co_teacher], by=people.admin)
        assert list(course.teachers.all()) == [co_teacher]
        with pytest.raises(ValidationError):
            structure.subject_create(code="MATH", name="")
        with pytest.raises(ValidationError):
            group_create(name="3° a", level="3°")


# --- enrolment -------------------------------------------------------------------------------


def _in_group(student: object, group: ClassGroup, number: str) -> None:
    student_record_set(student=student, enrolment_number=number, group=group)  # type: ignore[arg-type]


def test_enrolling_a_group_in_its_courses_is_idempotent(school: Tenant, people: People) -> None:
    with tenant_context(school):
        term = _term(_year(), "First", 0, 200)
        group, other = group_create(name="3° A", level="3°"), group_create(name="3° B", level="3°")
        _in_group(people.alice, group, "A1")
        _in_group(people.bob, group, "A2")
        _in_group(people.carol, other, "B1")
        maths = structure.course_create(
            subject=structure.subject_create(code="M", name="Maths"), group=group, term=term
        )
        art = structure.course_create(
            subject=structure.subject_create(code="A", name="Art"), group=group, term=term
        )
        assert structure.group_enrol_in_courses(group=group, term=term) == 4
        assert structure.group_enrol_in_courses(group=group, term=term) == 0
        assert Enrolment.objects.count() == 4
        assert set(maths.enrolments.values_list("student__full_name", flat=True)) == {
            "Alice",
            "Bob",
        }
        assert art.enrolments.count() == 2
        with pytest.raises(ValidationError) as no_courses:
            structure.group_enrol_in_courses(group=other, term=term)
        assert "has no courses in First" in _messages(no_courses)


def test_one_student_is_enrolled_and_unenrolled_unless_graded(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        course = structure.course_create(
            subject=structure.subject_create(code="M", name="Maths"),
            group=None,
            term=_term(_year(), "First", 0, 200),
        )
        structure.student_enrol(student=people.alice, course=course)
        with pytest.raises(Conflict):
            structure.student_enrol(student=people.alice, course=course)
        with pytest.raises(ValidationError):
            structure.student_enrol(student=people.admin, course=course)
        structure.student_enrol(student=people.bob, course=course)
        structure.student_unenrol(student=people.bob, course=course)
        with pytest.raises(Conflict):
            structure.student_unenrol(student=people.bob, course=course)
        make_grade(make_assessment(course), people.alice, "8", by=people.admin)
        with pytest.raises(Conflict) as graded:
            structure.student_unenrol(student=people.alice, course=course)
        assert "grades stay with the course" in _messages(graded)
        assert list(course.enrolments.values_list("student", flat=True)) == [people.alice.pk]


def test_a_student_moved_mid_year_keeps_their_grades_with_their_courses(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        year = _year()
        today = tenant_today()
        past = structure.term_create(
            year=year,
            name="Past",
            starts_on=year.starts_on,
            ends_on=today - timedelta(days=30),
            entry_opens_on=year.starts_on,
            entry_closes_on=today - timedelta(days=20),
        )
        current = structure.term_create(
            year=year,
            name="Current",
            starts_on=today - timedelta(days=29),
            ends_on=today + timedelta(days=60),
            entry_opens_on=today - timedelta(days=29),
            entry_closes_on=today + timedelta(days=70),
        )
        a, b = group_create(name="3° A", level="3°"), group_create(name="3° B", level="3°")
        maths, art = (
            structure.subject_create(code="M", name="Maths"),
            structure.subject_create(code="A", name="Art"),
        )
        courses = {
            (term.name, group.name, subject.name): structure.course_create(
                subject=subject, group=group, term=term
            )
            for term in (past, current)
            for group in (a, b)
            for subject in (maths, art)
        }
        _in_group(people.alice, a, "A1")
        for term in (past, current):
            structure.group_enrol_in_courses(group=a, term=term)
        graded = courses[("Current", "3° A", "Maths")]
        grade = make_grade(make_assessment(graded), people.alice, "9.5", by=people.admin)
        old_grade = make_grade(
            make_assessment(courses[("Past", "3° A", "Art")]), people.alice, "7", by=people.admin
        )

        moved = structure.student_move_group(student=people.alice, group=b, by=people.admin)

        assert [c.name for c in moved.kept] == ["Maths 3° A"]
        assert [c.name for c in moved.left] == ["Art 3° A"]
        assert sorted(c.name for c in moved.joined) == ["Art 3° B", "Maths 3° B"]
        enrolled = set(
            Enrolment.objects.filter(student=people.alice).values_list(
                "course__term__name", "course__name"
            )
        )
        assert enrolled == {
            ("Past", "Maths 3° A"),  # past terms are history
            ("Past", "Art 3° A"),
            ("Current", "Maths 3° A"),  # graded there: the grade stays with its course
            ("Current", "Maths 3° B"),
            ("Current", "Art 3° B"),
        }
        assert set(Grade.objects.filter(student=people.alice)) == {grade, old_grade}
        assert Grade.objects.get(pk=grade.pk).assessment.course == graded
        people.alice.student_record.refresh_from_db()
        assert people.alice.student_record.group == b
        with pytest.raises(Conflict):
            structure.student_move_group(student=people.alice, group=b, by=people.admin)


def test_only_administrators_move_students_and_only_students_with_a_record(
    school: Tenant, people: People
) -> None:
    teacher = make_user(school, Role.TEACHER)
    with tenant_context(school):
        group = group_create(name="3° A", level="3°")
        with pytest.raises(PermissionDenied):
            structure.student_move_group(student=people.alice, group=group, by=teacher)
        with pytest.raises(ValidationError) as no_record:
            structure.student_move_group(student=people.alice, group=group, by=people.admin)
        assert "no enrolment number" in _messages(no_record)


def test_nothing_reaches_the_other_school(school: Tenant, school_b: Tenant, people: People) -> None:
    with tenant_context(school):
        _term(_year(), "First", 0, 100)
        group_create(name="3° A", level="3°")
    with tenant_context(school_b):
        assert not SchoolYear.objects.exists()
        assert not Term.objects.exists()
        assert not ClassGroup.objects.exists()
        # The same names are free in the other school.
        _term(_year(), "First", 0, 100)
        group_create(name="3° A", level="3°")


def test_terms_made_before_school_years_get_a_year_that_holds_them(school: Tenant) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("school.migrations.0004_school_structure")
    with tenant_context(school):
        # given terms of two calendar years without a school year (as before 0004)
        for name, start, end in (
            ("Spring 2025", date(2025, 1, 10), date(2025, 6, 30)),
            ("Autumn 2025", date(2025, 8, 20), date(2025, 12, 15)),
            ("Spring 2026", date(2026, 1, 12), date(2026, 6, 30)),
        ):
            Term.objects.create(
                name=name,
                starts_on=start,
                ends_on=end,
                entry_opens_on=start,
                entry_closes_on=end,
            )
        # when the migration's data step runs
        migration.years_for_existing_terms(apps, None)
        # then each term lies in a year of its calendar year
        years = {
            y.name: (y.starts_on, y.ends_on, sorted(t.name for t in y.terms.all()))
            for y in SchoolYear.objects.all()
        }
        assert years == {
            "2025": (date(2025, 1, 10), date(2025, 12, 15), ["Autumn 2025", "Spring 2025"]),
            "2026": (date(2026, 1, 12), date(2026, 6, 30), ["Spring 2026"]),
        }
