"""Guardians: they see their children's grades, term reports, invoices and receipts (switching
between children with ?student=), and nothing of another family's: any other student's id is
a 404. Their notifications are their own copies, naming the child."""

from datetime import timedelta
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.models import Notification
from school.clock import tenant_today
from school.models import Guardianship
from school.services.grades import course_publish
from school.services.invoices import invoice_issue, payment_record
from school.services.reminders import invoices_daily_run
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice

pytestmark = pytest.mark.django_db


def _family(school: Tenant, people: People) -> User:
    """A guardian of Alice and Bob (Carol is another family's)."""
    guardian = make_user(school, Role.GUARDIAN, name="Marge")
    with tenant_context(school):
        Guardianship.objects.create(guardian=guardian, student=people.alice)
        Guardianship.objects.create(guardian=guardian, student=people.bob)
    return guardian


def test_a_guardian_sees_each_childs_records_and_switches_between_them(
    school: Tenant, people: People
) -> None:
    marge = _family(school, people)
    with tenant_context(school):
        music = make_course(students=[people.alice], name="Music")
        make_grade(make_assessment(music, title="Solo"), people.alice, "90", by=people.admin)
        course_publish(course=music, by=people.admin)
        physics = make_course(students=[people.bob], name="Physics")
        make_grade(make_assessment(physics, title="Lab"), people.bob, "70", by=people.admin)
        course_publish(course=physics, by=people.admin)
        bill = make_invoice(people.bob, by=people.admin, amount="300", description="Bus")
        receipt = payment_record(invoice=bill, amount="100", method="cash", by=people.admin)
    client = client_for(school, marge)
    # the overview lists both children
    overview = client.get("/school/")
    assert overview.status_code == 200
    assert "Alice" in overview.text and "Bob" in overview.text and "Carol" not in overview.text
    # the grades page shows the first child, with a switch to the other
    first = client.get("/school/my/grades/")
    assert first.status_code == 200
    assert "Grades of Alice" in first.text and "Music" in first.text
    assert "Physics" not in first.text and f"?student={people.bob.pk}" in first.text
    bob = client.get(f"/school/my/grades/?student={people.bob.pk}")
    assert "Grades of Bob" in bob.text and "Physics" in bob.text and "Music" not in bob.text
    fragment = client.get(f"/school/my/grades/fragment/?student={people.bob.pk}")
    assert "Physics" in fragment.text and "Music" not in fragment.text
    assert client.get(f"/school/my/grades.json?student={people.bob.pk}").status_code == 200
    report = client.get(f"/school/my/terms/{physics.term_id}/report/?student={people.bob.pk}")
    assert report.status_code == 200 and "Bob" in report.text and "Physics" in report.text
    invoices = client.get(f"/school/my/invoices/?student={people.bob.pk}")
    assert "Invoices of Bob" in invoices.text and bill.number in invoices.text
    assert client.get(f"/school/payments/{receipt.pk}/receipt/").status_code == 200
    balance = client.get(f"/school/my/balance.json?student={people.bob.pk}").json()
    assert balance["balance"] == "200.00"


def test_a_guardian_never_sees_another_familys_records(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    marge = _family(school, people)
    other_guardian = make_user(school, Role.GUARDIAN, name="Other")
    student_b = make_user(school_b, Role.STUDENT, name="Alice B")
    with tenant_context(school):
        Guardianship.objects.create(guardian=other_guardian, student=people.carol)
        term_id = make_course(students=[people.carol]).term_id
        bill = make_invoice(people.carol, by=people.admin, amount="300")
        carols = payment_record(invoice=bill, amount="100", method="cash", by=people.admin)
    client = client_for(school, marge)
    # Carol's, a non-student's, another school's student's, or junk: all 404
    for student in (people.carol.pk, people.admin.pk, marge.pk, student_b.pk, "x", "-1"):
        for url in (
            "/school/my/grades/",
            "/school/my/grades/fragment/",
            "/school/my/grades.json",
            f"/school/my/terms/{term_id}/report/",
            "/school/my/invoices/",
            "/school/my/invoices/fragment/",
            "/school/my/balance.json",
        ):
            assert client.get(f"{url}?student={student}").status_code == 404, (url, student)
    assert client.get(f"/school/payments/{carols.pk}/receipt/").status_code == 404
    # a student may not name another student either
    alice = client_for(school, people.alice)
    assert alice.get(f"/school/my/grades/?student={people.bob.pk}").status_code == 404
    assert alice.get(f"/school/my/grades/?student={people.alice.pk}").status_code == 200
    # and administrators' pages stay closed
    assert client.get("/school/courses/").status_code == 403
    assert client.get("/school/invoices/").status_code == 403


def test_a_guardian_without_children_is_told_so(school: Tenant, people: People) -> None:
    lonely = make_user(school, Role.GUARDIAN, name="Lonely")
    client = client_for(school, lonely)
    assert "No children are linked to your account yet" in client.get("/school/").text
    assert client.get("/school/my/grades/").status_code == 404


def test_guardians_receive_a_copy_of_their_childrens_notifications_only(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    marge = _family(school, people)
    other_guardian = make_user(school, Role.GUARDIAN, name="Other")
    guardian_b = make_user(school_b, Role.GUARDIAN)
    student_b = make_user(school_b, Role.STUDENT)
    with tenant_context(school_b):
        Guardianship.objects.create(guardian=guardian_b, student=student_b)
    with tenant_context(school):
        Guardianship.objects.create(guardian=other_guardian, student=people.carol)
        # when the school notifies about Alice (grade), Bob (invoice, reminder) and Carol
        course = make_course(students=[people.alice, people.carol], name="Music")
        quiz = make_assessment(course, title="Quiz")
        make_grade(quiz, people.alice, "80", by=people.admin)
        make_grade(quiz, people.carol, "60", by=people.admin)
        course_publish(course=course, by=people.admin)
        invoice_issue(
            student=people.bob,
            description="Bus",
            amount="20",
            due_on=tenant_today(),
            by=people.admin,
        )
        invoices_daily_run()
        mine = list(Notification.objects.filter(recipient=marge).order_by("seq"))
        theirs = list(Notification.objects.filter(recipient=other_guardian))
        students_rows = list(Notification.objects.filter(recipient=people.alice))
    # then Marge got her two children's, each naming the child; the other guardian Carol's only
    assert [(n.type, n.data["child"]["name"]) for n in mine] == [
        ("grade.published", "Alice"),
        ("invoice.issued", "Bob"),
        ("invoice.due_soon", "Bob"),
    ]
    assert [n.data["child"]["name"] for n in theirs] == ["Carol"]
    # the student's own copy does not name them
    assert [n.type for n in students_rows] == ["grade.published"]
    assert "child" not in students_rows[0].data
    # and nothing reached the second school
    with tenant_context(school_b):
        assert not Notification.objects.exists()


def test_reminders_are_emailed_to_guardians_too(
    school: Tenant, people: People, mailoutbox: list[Any], on_commit: Any
) -> None:
    marge = _family(school, people)
    with tenant_context(school):
        make_invoice(people.bob, by=people.admin, due_on=tenant_today() - timedelta(days=2))
        with on_commit(execute=True):
            invoices_daily_run()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([people.bob.email, marge.email])
    to_marge = next(m for m in mailoutbox if m.to == [marge.email])
    assert to_marge.subject.startswith("Bob: Invoice overdue")
    assert "Hello Marge," in to_marge.body and f"?student={people.bob.pk}" in to_marge.body
