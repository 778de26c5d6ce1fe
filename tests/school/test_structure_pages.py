"""The setup pages as an administrator uses them: the checklist that leads a new school through
its setup, the lists with their empty states and add forms, rules refused with a message
(400/409, nothing written), other roles kept out (403) and other schools' ids unknown (404)."""

from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context

from accounts.roles import Role
from school.clock import tenant_today
from school.models import ClassGroup, Course, Enrolment, SchoolYear, Subject, Term
from school.services import structure
from school.services.groups import group_create
from school.services.people import student_record_set
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_grade

pytestmark = pytest.mark.django_db

SETUP_PAGES = (
    "/school/setup/",
    "/school/setup/years/",
    "/school/setup/terms/",
    "/school/setup/groups/",
    "/school/setup/subjects/",
    "/school/setup/courses/",
    "/school/setup/enrolment/",
)


def _iso(days: int) -> str:
    return (tenant_today() + timedelta(days=days)).isoformat()


def _year_and_term(name: str = "First term") -> Term:
    today = tenant_today()
    year = structure.school_year_create(
        name="2026-2027", starts_on=today - timedelta(days=100), ends_on=today + timedelta(days=200)
    )
    return structure.term_create(
        year=year,
        name=name,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=60),
        entry_opens_on=today - timedelta(days=30),
        entry_closes_on=today + timedelta(days=70),
    )


def test_a_new_school_sees_the_checklist_and_each_empty_list_says_what_to_do(
    school: Tenant,
) -> None:
    client = client_for(school, make_user(school, Role.ADMINISTRATOR))
    dashboard = client.get("/school/")
    assert "Set up your school" in dashboard.text
    assert "Next step: Add a school year" in dashboard.text
    checklist = client.get("/school/setup/")
    assert checklist.status_code == 200
    assert "0 of 7 steps done" in checklist.text
    for title in ("Add a school year", "Add the year's terms", "Publish a first grade"):
        assert title in checklist.text.replace("&#x27;", "'")
    assert "No school years yet: add the first one" in client.get("/school/setup/years/").text
    assert "add a school year first" in client.get("/school/setup/terms/").text
    assert "No groups yet" in client.get("/school/setup/groups/").text
    assert "No subjects yet" in client.get("/school/setup/subjects/").text
    courses = client.get("/school/setup/courses/").text
    assert "A course needs a term, a group and a subject" in courses
    enrolment = client.get("/school/setup/enrolment/").text
    assert "No students yet" in enrolment and "add courses first" in enrolment
    # The pages that used to be dead ends in an empty school point to the setup.
    assert "/school/setup/" in client.get("/school/courses/").text
    assert "no one to invoice" in client.get("/school/invoices/new/").text


def test_the_administrator_sets_a_school_up_through_the_pages(
    school: Tenant, people: People
) -> None:
    teacher = make_user(school, Role.TEACHER, name="Tina Teacher")
    client = client_for(school, people.admin)
    # given a year, a term, a group and a subject made with the forms
    response = client.post(
        "/school/setup/years/", {"name": "2026-2027", "starts_on": _iso(-100), "ends_on": _iso(200)}
    )
    assert response.status_code == 302
    with tenant_context(school):
        year = SchoolYear.objects.get()
    response = client.post(
        "/school/setup/terms/",
        {
            "year": year.pk,
            "name": "First term",
            "starts_on": _iso(-30),
            "ends_on": _iso(60),
            "entry_opens_on": _iso(-30),
            "entry_closes_on": _iso(70),
        },
    )
    assert response.status_code == 302
    assert client.post("/school/setup/groups/", {"level": "3°", "name": "3° A"}).status_code == 302
    assert (
        client.post("/school/setup/subjects/", {"code": "MATH", "name": "Maths"}).status_code == 302
    )
    with tenant_context(school):
        term, group, subject = Term.objects.get(), ClassGroup.objects.get(), Subject.objects.get()
        student_record_set(student=people.alice, enrolment_number="A-1", group=None)
        student_record_set(student=people.bob, enrolment_number="A-2", group=None)
    # when a course is added with its teacher and the students are put in the group
    response = client.post(
        "/school/setup/courses/",
        {"term": term.pk, "group": group.pk, "subject": subject.pk, "teachers": [teacher.pk]},
    )
    assert response.status_code == 302
    for student in (people.alice, people.bob):
        response = client.post(
            "/school/setup/enrolment/move/", {"student": student.pk, "group": group.pk}
        )
        assert response.status_code == 302
    page = client.get("/school/setup/enrolment/", follow=True).text
    assert "Alice" in page and "3° A" in page
    # then the course has its teacher, and the students joined the group's course
    with tenant_context(school):
        course = Course.objects.get()
        assert course.name == "Maths 3° A"
        assert list(course.teachers.all()) == [teacher]
        assert course.enrolments.count() == 2
    # and enrolling the group again makes nothing twice
    response = client.post(
        "/school/setup/enrolment/group/", {"group": group.pk, "term": term.pk}, follow=True
    )
    assert "0 enrolments made" in response.text
    courses_page = client.get("/school/setup/courses/").text
    assert "Tina Teacher" in courses_page and "Maths 3° A" in courses_page
    checklist = client.get("/school/setup/").text
    assert "6 of 7 steps done" in checklist


def test_bad_dates_answer_400_with_the_message_and_write_nothing(
    school: Tenant, people: People
) -> None:
    client = client_for(school, people.admin)
    backwards = client.post(
        "/school/setup/years/", {"name": "Backwards", "starts_on": _iso(10), "ends_on": _iso(0)}
    )
    assert backwards.status_code == 400
    assert "A school year cannot end before it starts." in backwards.text
    unreadable = client.post(
        "/school/setup/years/", {"name": "X", "starts_on": "31/12/2026", "ends_on": "tomorrow"}
    )
    assert unreadable.status_code == 400 and "Give a date as YYYY-MM-DD." in unreadable.text
    with tenant_context(school):
        assert not SchoolYear.objects.exists()
        term = _year_and_term()
    overlapping = client.post(
        "/school/setup/terms/",
        {
            "year": term.year_id,
            "name": "Second term",
            "starts_on": _iso(50),
            "ends_on": _iso(120),
            "entry_opens_on": _iso(50),
            "entry_closes_on": _iso(130),
        },
    )
    assert overlapping.status_code == 400
    assert "These dates overlap First term" in overlapping.text
    with tenant_context(school):
        assert Term.objects.count() == 1


def test_a_graded_terms_dates_are_locked_on_its_page(school: Tenant, people: People) -> None:
    with tenant_context(school):
        term = _year_and_term()
        course = structure.course_create(
            subject=structure.subject_create(code="M", name="Maths"), group=None, term=term
        )
        structure.student_enrol(student=people.alice, course=course)
        make_grade(make_assessment(course), people.alice, "9", by=people.admin)
    client = client_for(school, people.admin)
    page = client.get(f"/school/setup/terms/{term.pk}/")
    assert "its dates are locked" in page.text
    fields = {
        "name": "First term",
        "starts_on": term.starts_on.isoformat(),
        "ends_on": (term.ends_on + timedelta(days=1)).isoformat(),
        "entry_opens_on": term.entry_opens_on.isoformat(),
        "entry_closes_on": term.entry_closes_on.isoformat(),
    }
    refused = client.post(f"/school/setup/terms/{term.pk}/", fields)
    assert refused.status_code == 409
    assert "already has grades" in refused.text
    fields |= {"ends_on": term.ends_on.isoformat(), "name": "Autumn"}
    assert client.post(f"/school/setup/terms/{term.pk}/", fields).status_code == 302
    with tenant_context(school):
        term.refresh_from_db()
        assert term.name == "Autumn"


def test_moving_a_student_keeps_their_grades_and_says_so(school: Tenant, people: People) -> None:
    with tenant_context(school):
        term = _year_and_term()
        a, b = group_create(name="3° A", level="3°"), group_create(name="3° B", level="3°")
        maths = structure.subject_create(code="M", name="Maths")
        old = structure.course_create(subject=maths, group=a, term=term)
        structure.course_create(subject=maths, group=b, term=term)
        student_record_set(student=people.alice, enrolment_number="A-1", group=a)
        structure.group_enrol_in_courses(group=a, term=term)
        make_grade(make_assessment(old), people.alice, "9", by=people.admin)
    client = client_for(school, people.admin)
    response = client.post(
        "/school/setup/enrolment/move/", {"student": people.alice.pk, "group": b.pk}, follow=True
    )
    assert "Alice is now in 3° B. Enrolled in 1 course." in response.text
    assert "Kept in 1 course of the old group that has their grades." in response.text
    refused = client.post(
        "/school/setup/enrolment/course/",
        {"student": people.alice.pk, "course": old.pk, "action": "unenrol"},
    )
    assert refused.status_code == 409 and "grades stay with the course" in refused.text
    with tenant_context(school):
        assert Enrolment.objects.filter(student=people.alice).count() == 2


def test_only_administrators_open_the_setup(school: Tenant, people: People) -> None:
    teacher = make_user(school, Role.TEACHER)
    guardian = make_user(school, Role.GUARDIAN)
    with tenant_context(school):
        term = _year_and_term()
    for user in (people.alice, teacher, guardian):
        client = client_for(school, user)
        for url in (*SETUP_PAGES, f"/school/setup/terms/{term.pk}/"):
            assert client.get(url).status_code == 403, (user.role, url)
        assert client.post("/school/setup/groups/", {"name": "X"}).status_code == 403
    assert client_for(school).get("/school/setup/").status_code == 302  # to sign in
    with tenant_context(school):
        assert not ClassGroup.objects.exists()


def test_another_schools_ids_are_not_found(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    with tenant_context(school_b):
        term = _year_and_term()
        group = group_create(name="3° A", level="3°")
        course = structure.course_create(
            subject=structure.subject_create(code="M", name="Maths"), group=group, term=term
        )
    # The other school's ids do not exist here, even when this school has none of its own.
    client = client_for(school, people.admin)
    assert client.get(f"/school/setup/years/{term.year_id}/").status_code == 404
    assert client.get(f"/school/setup/terms/{term.pk}/").status_code == 404
    assert client.get(f"/school/setup/courses/{course.pk}/").status_code == 404
    response = client.post("/school/setup/enrolment/group/", {"group": group.pk, "term": term.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    with tenant_context(school):
        assert not Enrolment.objects.exists()
    with tenant_context(school_b):
        assert not Enrolment.objects.exists()


def test_what_was_made_by_mistake_is_deleted_and_what_records_hang_on_is_refused(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    with tenant_context(school):
        # given a term with a course in which Alice has a grade, and a typo of a subject
        term = _year_and_term()
        year = SchoolYear.objects.get()
        group = group_create(name="3° A", level="3°")
        student_record_set(student=people.alice, enrolment_number="A-1", group=group)
        maths = structure.subject_create(code="MAT", name="Matemáticas")
        typo = structure.subject_create(code="MTA", name="Matemátcias")
        graded = structure.course_create(subject=maths, group=group, term=term)
        structure.group_enrol_in_courses(group=group, term=term)
        make_grade(make_assessment(graded), people.alice, "8", by=people.admin, published=True)
        empty_group = group_create(name="3° Z", level="3°")
    admin = client_for(school, people.admin)

    # when the administrator deletes the misspelt subject and the empty group
    response = admin.post(f"/school/setup/subjects/{typo.pk}/delete/", follow=True)
    # then they are gone, and the list says so
    assert "Matemátcias deleted." in response.text
    assert admin.post(f"/school/setup/groups/{empty_group.pk}/delete/").status_code == 302

    # when she tries to delete what grades, courses or terms hang on
    refused = {
        "courses": (graded.pk, "has grades, which are kept"),
        "subjects": (maths.pk, "is taught in courses: delete them first"),
        "terms": (term.pk, "has courses: delete them first"),
        "years": (year.pk, "has terms: delete them first"),
        "groups": (group.pk, "has students or courses"),
    }
    for kind, (pk, message) in refused.items():
        answer = admin.post(f"/school/setup/{kind}/{pk}/delete/")
        # then each is refused on its own list page, saying what to do first
        assert answer.status_code == 409, kind
        assert message in answer.text, kind
        assert '<table class="data">' in answer.text, kind

    with tenant_context(school):
        assert not Subject.objects.filter(pk=typo.pk).exists()
        assert not ClassGroup.objects.filter(pk=empty_group.pk).exists()
        assert Course.objects.filter(pk=graded.pk).exists()
        assert Term.objects.filter(pk=term.pk).exists() and SchoolYear.objects.count() == 1

    # and a course nobody was graded in goes with its enrolments, then its empty term
    with tenant_context(school):
        today = tenant_today()
        spring = structure.term_create(
            year=year,
            name="Second term",
            starts_on=today + timedelta(days=70),
            ends_on=today + timedelta(days=150),
            entry_opens_on=today + timedelta(days=70),
            entry_closes_on=today + timedelta(days=160),
        )
        ungraded = structure.course_create(subject=maths, group=group, term=spring)
        structure.group_enrol_in_courses(group=group, term=spring)
        assert Enrolment.objects.filter(course=ungraded).count() == 1
    assert admin.post(f"/school/setup/courses/{ungraded.pk}/delete/").status_code == 302
    assert admin.post(f"/school/setup/terms/{spring.pk}/delete/").status_code == 302
    with tenant_context(school):
        assert not Enrolment.objects.filter(course_id=ungraded.pk).exists()
        assert list(Term.objects.values_list("name", flat=True)) == ["First term"]


def test_deleting_answers_404_for_unknown_kinds_and_other_schools_ids_and_403_for_others(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    with tenant_context(school_b):
        theirs = structure.subject_create(code="BIO", name="Biología")
    admin = client_for(school, people.admin)
    assert admin.post(f"/school/setup/subjects/{theirs.pk}/delete/").status_code == 404
    assert admin.post("/school/setup/people/1/delete/").status_code == 404
    assert admin.get(f"/school/setup/subjects/{theirs.pk}/delete/").status_code == 405
    with tenant_context(school):
        mine = structure.subject_create(code="BIO", name="Biología")
    teacher = client_for(school, make_user(school, Role.TEACHER))
    assert teacher.post(f"/school/setup/subjects/{mine.pk}/delete/").status_code == 403
    with tenant_context(school_b):
        assert Subject.objects.filter(pk=theirs.pk).exists()
    with tenant_context(school):
        assert Subject.objects.filter(pk=mine.pk).exists()
