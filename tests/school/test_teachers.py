"""Teachers: they see and grade only the courses they teach (any other course is a 404, as if
it did not exist), never fees, invoices or payments; administrators assign them to courses."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import tenant_context

from accounts.roles import Role
from realtime.catalogue import render
from realtime.models import Notification
from school.models import Course, Grade, GradeStatus
from school.services.grades import course_publish, course_set_teachers
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice

pytestmark = pytest.mark.django_db


def _courses(school: Tenant, people: People) -> tuple[Course, Course]:
    with tenant_context(school):
        taught = make_course(students=[people.alice], name="Music")
        other = make_course(students=[people.bob], name="Physics")
    return taught, other


def test_a_teacher_sees_and_grades_only_their_courses(school: Tenant, people: People) -> None:
    # given Mr Largo teaching Music but not Physics
    largo = make_user(school, Role.TEACHER, name="Largo")
    music, physics = _courses(school, people)
    with tenant_context(school):
        music.teachers.add(largo)
        quiz = make_assessment(music, title="Quiz", max_score="20")
        lab = make_assessment(physics, title="Lab")
        foreign = make_grade(lab, people.bob, "50", by=people.admin)
    client = client_for(school, largo)
    # then his gradebooks list and his overview show Music only
    listed = client.get("/school/courses/")
    assert listed.status_code == 200
    assert "Music" in listed.text and "Physics" not in listed.text
    assert "Publish all drafts of this term" not in listed.text  # a whole term is not his
    overview = client.get("/school/")
    assert "Music" in overview.text and "Physics" not in overview.text
    # and he grades Music: enters, adds an assessment, publishes
    book = client.get(f"/school/courses/{music.pk}/gradebook/")
    assert book.status_code == 200
    assert "/report/" not in book.text  # a term report spans other teachers' courses
    cell = f"g-{quiz.pk}-{people.alice.pk}"
    assert client.post(f"/school/courses/{music.pk}/gradebook/", {cell: "17"}).status_code == 302
    added = client.post(
        f"/school/courses/{music.pk}/assessments/",
        {"title": "Essay", "max_score": "10", "weight": "1"},
    )
    assert added.status_code == 302
    assert client.post(f"/school/courses/{music.pk}/publish/").status_code == 302
    with tenant_context(school):
        grade = Grade.objects.get(assessment=quiz, student=people.alice)
        assert grade.status == GradeStatus.PUBLISHED and grade.entered_by == largo
    # but Physics does not exist for him, whatever he tries
    for url in (f"/school/courses/{physics.pk}/gradebook/",):
        assert client.get(url).status_code == 404
    for url in (
        f"/school/courses/{physics.pk}/gradebook/",
        f"/school/courses/{physics.pk}/assessments/",
        f"/school/courses/{physics.pk}/publish/",
        f"/school/grades/{foreign.pk}/publish/",
    ):
        assert client.post(url, {"title": "X", "max_score": "1", "weight": "1"}).status_code == 404
    with tenant_context(school):
        foreign.refresh_from_db()
        assert foreign.status == GradeStatus.DRAFT
        assert physics.assessments.count() == 1
    # and the school's money and the whole term stay administrators' pages
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin)
    for url in ("/school/fees/", "/school/invoices/", f"/school/invoices/{invoice.pk}/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/school/terms/{music.term_id}/publish/").status_code == 403
    assert client.get("/school/my/grades/").status_code == 403


def test_services_refuse_a_teacher_outside_their_courses(school: Tenant, people: People) -> None:
    largo = make_user(school, Role.TEACHER, name="Largo")
    music, physics = _courses(school, people)
    with tenant_context(school):
        music.teachers.add(largo)
        make_grade(make_assessment(physics), people.bob, "50", by=people.admin)
        with pytest.raises(PermissionDenied):
            course_publish(course=physics, by=largo)
        assert Grade.objects.filter(status=GradeStatus.PUBLISHED).count() == 0


def test_course_set_teachers_makes_exactly_those_the_teachers(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    largo = make_user(school, Role.TEACHER, name="Largo")
    hoover = make_user(school, Role.TEACHER, name="Hoover")
    music, _ = _courses(school, people)
    with tenant_context(school):
        # when an administrator sets Largo and Hoover, then Hoover alone
        course_set_teachers(course=music, teachers=[largo, hoover], by=people.admin)
        assert set(music.teachers.all()) == {largo, hoover}
        course_set_teachers(course=music, teachers=[hoover], by=people.admin)
        assert list(music.teachers.all()) == [hoover]
        # and a student is no teacher; nor may a teacher assign anyone
        with pytest.raises(ValidationError):
            course_set_teachers(course=music, teachers=[people.alice], by=people.admin)
        with pytest.raises(PermissionDenied):
            course_set_teachers(course=music, teachers=[largo], by=hoover)
        assert list(music.teachers.all()) == [hoover]


def test_the_courses_page_assigns_teachers(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    largo = make_user(school, Role.TEACHER, name="Largo")
    teacher_b = make_user(school_b, Role.TEACHER, name="Teacher B")
    music, _ = _courses(school, people)
    admin = client_for(school, people.admin)
    page = admin.get("/school/courses/")
    assert "Largo" in page.text and "Save teachers" in page.text
    url = f"/school/courses/{music.pk}/teachers/"
    answer = admin.post(url, {"teachers": [str(largo.pk)]}, follow=True)
    assert "Music now has 1 teacher." in answer.text
    with tenant_context(school):
        assert list(music.teachers.all()) == [largo]
    # a student's id, or another school's teacher's, is refused with a message and no change
    for wrong in (people.alice.pk, teacher_b.pk + 1000, "x"):
        refused = admin.post(url, {"teachers": [str(wrong)]})
        assert refused.status_code == 400
        assert "errorlist" in refused.text
    with tenant_context(school):
        assert list(music.teachers.all()) == [largo]
    # the teacher himself may not assign
    assert client_for(school, largo).post(url, {"teachers": []}).status_code == 403
    assert admin.get(url).status_code == 405


def test_a_teacher_is_told_when_given_a_course(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    largo = make_user(school, Role.TEACHER, name="Largo")
    hoover = make_user(school, Role.TEACHER, name="Hoover")
    music, _ = _courses(school, people)
    with tenant_context(school):
        course_set_teachers(course=music, teachers=[largo], by=people.admin)
        # saving again, or adding Hoover, does not tell Largo twice
        course_set_teachers(course=music, teachers=[largo], by=people.admin)
        course_set_teachers(course=music, teachers=[largo, hoover], by=people.admin)
        told = [
            (n.recipient_id, render(n.type, n.data, language="en"))
            for n in Notification.objects.filter(type="course.teacher_assigned").order_by("pk")
        ]
    assert [(who, shown.title) for who, shown in told] == [
        (largo.pk, "You now teach Music"),
        (hoover.pk, "You now teach Music"),
    ]
    assert told[0][1].url == f"/school/courses/{music.pk}/gradebook/"
    with tenant_context(school_b):
        assert not Notification.objects.exists()
