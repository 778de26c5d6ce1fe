"""The school's CSV downloads as an administrator or a teacher gets them (with the second
school beside the first: nothing of it reaches any file): a course's gradebook with the
server's averages, the invoices with the list's filters, every payment; plain machine values,
a BOM and headers in the reader's language, formulas neutralised, a fixed number of queries."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from config.csv_export import cell_text, export_filename
from school.clock import tenant_today
from school.models import Enrolment, Grade, Guardianship
from school.services.invoices import payment_record
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice

pytestmark = pytest.mark.django_db

BOM = "\ufeff"


def read_csv(response: HttpResponseBase) -> list[list[str]]:
    """The rows of a CSV download (after checking it is one, streamed, with its BOM)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert isinstance(response, StreamingHttpResponse)
    text = response.getvalue().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


# --- the gradebook ---------------------------------------------------------------------------


def test_a_gradebook_download_has_a_row_per_student_and_the_servers_average(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    # given a course with two assessments (the second weighs double), Alice with both scores,
    # Bob with one draft, Carol with none; and a course of the other school
    with tenant_context(school):
        course = make_course(students=[people.alice, people.bob, people.carol], name="Maths")
        quiz = make_assessment(course, title="Quiz", max_score="10")
        exam = make_assessment(course, title="=Exam", weight="2")
        make_grade(quiz, people.alice, "8.5", by=people.admin, published=True)
        make_grade(exam, people.alice, "91", by=people.admin)
        make_grade(quiz, people.bob, "7", by=people.admin)
    admin_b = make_user(school_b, Role.ADMINISTRATOR)
    student_b = make_user(school_b, Role.STUDENT, name="Other School Student")
    with tenant_context(school_b):
        course_b = make_course(students=[student_b])
    # when the administrator downloads the gradebook
    response = client_for(school, people.admin).get(f"/school/courses/{course.pk}/gradebook.csv")
    rows = read_csv(response)
    # then it is named for the school, the course and the day, and holds one row per student:
    # scores as written, an empty cell for none, the average the page shows (weighted)
    today = tenant_today().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="{school.slug}-gradebook-{course.pk}-{today}.csv"'
    )
    assert rows[0] == ["Student", "E-mail", "Quiz", "'=Exam", "Average (incl. drafts)"]
    assert rows[1] == ["Alice", people.alice.email, "8.5", "91", "89.00"]
    assert rows[2] == ["Bob", people.bob.email, "7", "", "70.00"]
    assert rows[3] == ["Carol", people.carol.email, "", "", ""]
    assert len(rows) == 4
    # and the other school's people never reach a download of either school (ids are per
    # school: the same number names a course of each, or none)
    for pk in (course.pk, course_b.pk):
        here = client_for(school, people.admin).get(f"/school/courses/{pk}/gradebook.csv")
        there = client_for(school_b, admin_b).get(f"/school/courses/{pk}/gradebook.csv")
        assert here.status_code in (200, 404) and there.status_code in (200, 404)
        assert "Other School Student" not in getattr(here, "getvalue", lambda: b"")().decode()
        assert "Alice" not in getattr(there, "getvalue", lambda: b"")().decode()


def test_a_teacher_downloads_their_own_course_only(school: Tenant, people: People) -> None:
    # given a teacher of one course, another course, and a student and a guardian
    teacher = make_user(school, Role.TEACHER, name="Tina Teacher")
    guardian = make_user(school, Role.GUARDIAN)
    with tenant_context(school):
        mine = make_course(students=[people.alice])
        mine.teachers.add(teacher)
        theirs = make_course(students=[people.bob])
        Guardianship.objects.create(guardian=guardian, student=people.alice)
    # when each asks for the courses' gradebooks
    as_teacher = client_for(school, teacher)
    own = as_teacher.get(f"/school/courses/{mine.pk}/gradebook.csv")
    other = as_teacher.get(f"/school/courses/{theirs.pk}/gradebook.csv")
    as_student = client_for(school, people.alice).get(f"/school/courses/{mine.pk}/gradebook.csv")
    as_guardian = client_for(school, guardian).get(f"/school/courses/{mine.pk}/gradebook.csv")
    # then the teacher gets theirs, another's is not found, a family may not
    assert [row[0] for row in read_csv(own)[1:]] == ["Alice"]
    assert other.status_code == 404
    assert as_student.status_code == 403 and as_guardian.status_code == 403
    # and the gradebook page links to the download
    page = as_teacher.get(f"/school/courses/{mine.pk}/gradebook/")
    assert f'href="/school/courses/{mine.pk}/gradebook.csv"' in page.text
    assert "Download CSV" in page.text


def test_a_thousand_student_gradebook_is_read_in_as_many_queries_as_two(
    school: Tenant, people: People
) -> None:
    # given a course of two students with grades
    with tenant_context(school):
        course = make_course(students=[people.alice, people.bob])
        assessments = [make_assessment(course), make_assessment(course)]
        for a in assessments:
            make_grade(a, people.alice, "50", by=people.admin)
    client = client_for(school, people.admin)
    url = f"/school/courses/{course.pk}/gradebook.csv"
    with CaptureQueriesContext(connection) as few:
        assert len(read_csv(client.get(url))) == 3
    # when 1,000 more students with a grade each are enrolled
    with tenant_context(school):
        many = User.objects.bulk_create(
            User(email=f"bulk{n:04}@alpha.test", role=Role.STUDENT, full_name=f"Bulk {n:04}")
            for n in range(1000)
        )
        Enrolment.objects.bulk_create(Enrolment(course=course, student=s) for s in many)
        Grade.objects.bulk_create(
            Grade(
                assessment=assessments[0],
                student=s,
                score=Decimal(n % 100),
                entered_by=people.admin,
            )
            for n, s in enumerate(many)
        )
    with CaptureQueriesContext(connection) as lots:
        rows = read_csv(client.get(url))
    # then every one is in the file, read in no more queries than two were
    assert len(rows) == 1003
    assert ["Bulk 0042", "bulk0042@alpha.test", "42", "", "42.00"] in rows
    assert len(lots.captured_queries) == len(few.captured_queries)


# --- invoices and payments -------------------------------------------------------------------


def test_the_invoices_download_applies_the_lists_filters(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    # given invoices of Alice (one paid in part, one overdue), one of Bob, and one of the other
    # school; one description a spreadsheet would run as a formula
    today = tenant_today()
    with tenant_context(school):
        tuition = make_invoice(people.alice, by=people.admin, amount="1500.50", paid="500")
        trip = make_invoice(
            people.alice,
            by=people.admin,
            description='=HYPERLINK("http://evil.test")',
            due_on=today - timedelta(days=3),
        )
        make_invoice(people.bob, by=people.admin, description="Books")
    admin_b = make_user(school_b, Role.ADMINISTRATOR)
    student_b = make_user(school_b, Role.STUDENT)
    with tenant_context(school_b):
        make_invoice(student_b, by=admin_b, description="Other school fee")
    client = client_for(school, people.admin)
    # when the administrator downloads them all, then Alice's, then those due by yesterday
    everything = read_csv(client.get("/school/invoices.csv"))
    alices = read_csv(client.get("/school/invoices.csv", {"student": people.alice.pk}))
    overdue = read_csv(
        client.get("/school/invoices.csv", {"due_to": (today - timedelta(days=1)).isoformat()})
    )
    # then each holds what the list shows for the same filters, amounts and dates plain
    assert everything[0] == [
        "Number", "Student", "E-mail", "For", "Amount", "Paid", "Balance", "Currency",
        "Issued", "Due", "Status",
    ]  # fmt: skip
    assert len(everything) == 4 and "Other school fee" not in str(everything)
    assert {row[0] for row in alices[1:]} == {tuition.number, trip.number}
    row = next(r for r in alices if r[0] == tuition.number)
    assert row[4:8] == ["1500.50", "500.00", "1000.50", tuition.currency]
    assert row[8] == tuition.issued_on.isoformat() and row[9] == tuition.due_on.isoformat()
    assert [r[0] for r in overdue[1:]] == [trip.number]
    assert overdue[1][3] == '\'=HYPERLINK("http://evil.test")'
    # and the list page's link carries its filters
    page = client.get("/school/invoices/", {"student": str(people.alice.pk), "page": "1"})
    assert f'href="/school/invoices.csv?student={people.alice.pk}"' in page.text


def test_unreadable_invoice_filters_are_a_400_and_families_are_refused(
    school: Tenant, people: People
) -> None:
    guardian = make_user(school, Role.GUARDIAN)
    client = client_for(school, people.admin)
    assert client.get("/school/invoices.csv", {"status": "bogus"}).status_code == 400
    assert client.get("/school/invoices.csv", {"due_from": "31/31/2026"}).status_code == 400
    assert client.get("/school/invoices.csv", {"student": "\u0661"}).status_code == 400
    for user in (people.alice, guardian):
        assert client_for(school, user).get("/school/invoices.csv").status_code == 403
        assert client_for(school, user).get("/school/payments.csv").status_code == 403


def test_the_payments_download_lists_every_payment_of_this_school(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    # given two payments here (one with a reference a spreadsheet would run) and one there
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin, amount="300.00")
        first = payment_record(invoice=invoice, amount="100.25", method="cash", by=people.admin)
        second = payment_record(
            invoice=invoice, amount="50", method="transfer", by=people.admin, reference="@SUM(A1)"
        )
    admin_b = make_user(school_b, Role.ADMINISTRATOR)
    student_b = make_user(school_b, Role.STUDENT, name="Far Away")
    with tenant_context(school_b):
        payment_record(
            invoice=make_invoice(student_b, by=admin_b), amount="10", method="cash", by=admin_b
        )
    # when the administrator downloads the payments
    client = client_for(school, people.admin)
    rows = read_csv(client.get("/school/payments.csv"))
    # then both are there, newest first, with the moment in ISO with the school's offset
    assert rows[0][:2] == ["Receipt", "When"]
    assert [r[0] for r in rows[1:]] == [second.receipt_number, first.receipt_number]
    assert rows[2][1] == cell_text(first.received_at)
    assert rows[2][1][10] == "T" and rows[2][1][-6] in "+-"
    assert rows[1][5:] == ["Bank transfer", "'@SUM(A1)", "50.00", invoice.currency]
    assert "Far Away" not in str(rows)
    # and the feed links to the download
    assert 'href="/school/payments.csv"' in client.get("/school/payments/").text


def test_a_spanish_reader_gets_spanish_headers_with_the_bom(school: Tenant, people: People) -> None:
    # given an administrator who reads Spanish
    with tenant_context(school):
        User.objects.filter(pk=people.admin.pk).update(language="es-mx")
        make_invoice(people.alice, by=people.admin, amount="1500.50")
    # when they download the invoices
    response = client_for(school, people.admin).get("/school/invoices.csv")
    assert isinstance(response, StreamingHttpResponse)
    raw = response.getvalue()
    # then the file starts with the BOM, the header is Spanish and the numbers stay plain
    assert raw.startswith("\ufeff".encode())
    rows = read_csv(client_for(school, people.admin).get("/school/invoices.csv"))
    assert rows[0][:5] == ["Folio", "Alumno", "Correo electrónico", "Concepto", "Monto"]
    assert rows[1][4] == "1500.50"


# --- the helper ------------------------------------------------------------------------------


def test_cells_and_file_names_are_safe() -> None:
    # every formula start is neutralised in text; numbers and dates we format are not touched
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert cell_text(text) == "'" + text
    assert cell_text("Núñez, O'Brien") == "Núñez, O'Brien"
    assert cell_text(Decimal("-1500.50")) == "-1500.50"
    assert cell_text(Decimal("1E+2")) == "100"
    assert cell_text(None) == ""
    day = date(2026, 12, 3)
    assert export_filename(slug="alpha", what='in"voices/../x', on=day) == (
        f"alpha-in-voices-..-x-{day.isoformat()}.csv"
    )
