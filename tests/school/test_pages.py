"""What people see and do through the pages: roles, isolation between students and schools,
clear validation errors with nothing written, and the JSON state the pages re-read."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts.roles import Role
from realtime.models import Notification
from school.clock import tenant_today
from school.models import Grade, GradeStatus, Invoice, InvoiceStatus, Payment
from school.payloads import cell_key
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.conftest import People
from tests.school.factories import (
    make_assessment,
    make_course,
    make_grade,
    make_invoice,
    make_term,
)

pytestmark = pytest.mark.django_db


# --- dashboard and roles ---------------------------------------------------------------------


def test_dashboard_shows_each_role_its_overview(school: Tenant, people: People) -> None:
    with tenant_context(school):
        make_invoice(people.alice, by=people.admin, amount="120.00")
    admin_page = client_for(school, people.admin).get("/school/")
    assert admin_page.status_code == 200
    assert "draft grades to publish" in admin_page.text and "outstanding" in admin_page.text
    student_page = client_for(school, people.alice).get("/school/")
    assert student_page.status_code == 200
    assert f"$120.00 {school.currency}" in student_page.text and "to pay" in student_page.text


def test_students_cannot_open_administrator_pages(school: Tenant, people: People) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
        invoice = make_invoice(people.alice, by=people.admin)
    client = client_for(school, people.alice)
    for url in (
        "/school/courses/",
        f"/school/courses/{course.pk}/gradebook/",
        "/school/invoices/",
        f"/school/invoices/{invoice.pk}/",
        "/school/payments/",
        "/school/payments/feed.json",
        "/school/payments/fragment/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/school/courses/{course.pk}/publish/").status_code == 403
    assert client.post(f"/school/invoices/{invoice.pk}/pay/", {"amount": "1"}).status_code == 403


def test_strangers_are_sent_to_login_and_clinics_have_no_school_pages(
    school: Tenant, clinic: Tenant
) -> None:
    response = client_for(school).get("/school/my/grades/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    dentist = make_user(clinic, Role.ADMINISTRATOR)
    assert client_for(clinic, dentist).get("/school/invoices/").status_code == 404


# --- grades ----------------------------------------------------------------------------------


def test_my_grades_shows_only_my_published_grades(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice, people.bob], name="Geometry")
        quiz = make_assessment(course, title="Angles quiz", max_score="20")
        exam = make_assessment(course, title="Final exam")
        make_grade(quiz, people.alice, "17", by=people.admin, published=True)
        make_grade(exam, people.alice, "33", by=people.admin)  # draft
        make_grade(quiz, people.bob, "4", by=people.admin, published=True)
    page = client_for(school, people.alice).get("/school/my/grades/")
    assert page.status_code == 200
    assert "Geometry" in page.text and "Angles quiz" in page.text and "17.00 / 20.00" in page.text
    assert "Final exam" not in page.text and "4.00 / 20.00" not in page.text
    state = client_for(school, people.alice).get("/school/my/grades.json").json()
    [term] = state["terms"]
    [course_state] = term["courses"]
    assert [g["assessment"] for g in course_state["grades"]] == ["Angles quiz"]
    assert course_state["average"] == "85" and term["average"] == "85"  # percentages, as shown
    assert course_state["average_percent"] == "85.00" and course_state["passing"] is True
    # a student of another school sees none of it
    other = make_user(school_b, Role.STUDENT)
    assert client_for(school_b, other).get("/school/my/grades.json").json()["terms"] == []


def test_my_grades_fragment_is_the_pages_own_markup(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    # given Alice with a published grade and a draft, Bob with a published grade
    with tenant_context(school):
        course = make_course(students=[people.alice, people.bob], name="Geometry")
        quiz = make_assessment(course, title="Angles quiz", max_score="20")
        exam = make_assessment(course, title="Final exam")
        mine = make_grade(quiz, people.alice, "17", by=people.admin, published=True)
        make_grade(exam, people.alice, "33", by=people.admin)  # draft
        make_grade(quiz, people.bob, "4", by=people.admin, published=True)
    alice = client_for(school, people.alice)
    # when her page and the fragment it re-reads are fetched
    page = alice.get("/school/my/grades/").content.decode()
    fragment = alice.get("/school/my/grades/fragment/")
    # then the fragment is exactly what the page shows inside #my-grades, averages included
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert html.strip() and html in page
    assert f'data-grade-id="{mine.pk}"' in html and "17.00 / 20.00" in html
    assert '<strong class="course-average">85</strong>' in html
    assert '<strong class="term-average">85</strong>' in html
    assert "Final exam" not in html and "4.00 / 20.00" not in html
    # and it is guarded like the page: administrators, strangers and other schools get nothing
    assert client_for(school, people.admin).get("/school/my/grades/fragment/").status_code == 403
    assert client_for(school).get("/school/my/grades/fragment/").status_code == 302
    other = make_user(school_b, Role.STUDENT)
    stranger = client_for(school_b, other).get("/school/my/grades/fragment/")
    assert "Geometry" not in stranger.content.decode()


def test_gradebook_saves_drafts_and_refuses_out_of_range_without_partial_writes(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice, people.bob])
        quiz = make_assessment(course, title="Quiz", max_score="20")
    client = client_for(school, people.admin)
    page = client.get(f"/school/courses/{course.pk}/gradebook/")
    assert page.status_code == 200
    assert f'name="{cell_key(quiz.pk, people.alice.pk)}"' in page.text
    # when one of two cells is out of range
    response = client.post(
        f"/school/courses/{course.pk}/gradebook/",
        {cell_key(quiz.pk, people.alice.pk): "18", cell_key(quiz.pk, people.bob.pk): "25"},
    )
    # then the page says which and why, keeps what was typed, and saves nothing
    assert response.status_code == 400
    assert "25 is out of range: Quiz is scored from 0 to 20." in response.text
    assert 'value="25"' in response.text and "Nothing was saved" in response.text
    with tenant_context(school):
        assert not Grade.objects.exists()
    # when both are valid
    response = client.post(
        f"/school/courses/{course.pk}/gradebook/",
        {cell_key(quiz.pk, people.alice.pk): "18", cell_key(quiz.pk, people.bob.pk): "19.5"},
    )
    assert response.status_code == 302
    with tenant_context(school):
        assert Grade.objects.filter(status=GradeStatus.DRAFT).count() == 2
        assert not Notification.objects.exists()


def test_publish_button_publishes_the_course_and_notifies(
    school: Tenant, people: People, on_commit: object
) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
        make_grade(make_assessment(course), people.alice, "88", by=people.admin)
    client = client_for(school, people.admin)
    response = client.post(f"/school/courses/{course.pk}/publish/")
    assert response.status_code == 302
    with tenant_context(school):
        assert Grade.objects.get().status == GradeStatus.PUBLISHED
        assert list(Notification.objects.values_list("recipient_id", "type")) == [
            (people.alice.pk, "grade.published")
        ]
    assert "88.00" in client_for(school, people.alice).get("/school/my/grades/").text


def test_a_single_grade_and_a_whole_term_can_be_published(school: Tenant, people: People) -> None:
    with tenant_context(school):
        term = make_term()
        course = make_course(term=term, students=[people.alice, people.bob])
        quiz = make_assessment(course)
        one = make_grade(quiz, people.alice, "50", by=people.admin)
        make_grade(quiz, people.bob, "60", by=people.admin)
    client = client_for(school, people.admin)
    assert client.post(f"/school/grades/{one.pk}/publish/").status_code == 302
    assert client.post(f"/school/grades/{one.pk}/publish/").status_code == 409
    assert client.post(f"/school/terms/{term.pk}/publish/").status_code == 302
    with tenant_context(school):
        assert not Grade.objects.filter(status=GradeStatus.DRAFT).exists()


def test_publishing_in_a_closed_term_explains_why(school: Tenant, people: People) -> None:
    with tenant_context(school):
        course = make_course(
            term=make_term(open_for_entry=False, name="Winter"), students=[people.alice]
        )
        make_grade(make_assessment(course), people.alice, "88", by=people.admin)
    client = client_for(school, people.admin)
    page = client.get(f"/school/courses/{course.pk}/gradebook/")
    assert "grades cannot be entered, published or corrected now" in page.text
    response = client.post(f"/school/courses/{course.pk}/publish/")
    assert response.status_code == 400
    assert "Winter is closed: its grade-entry window ended on" in response.text
    whole_term = client.post(f"/school/terms/{course.term_id}/publish/")
    assert whole_term.status_code == 400 and "Winter is closed" in whole_term.text
    with tenant_context(school):
        assert Grade.objects.get().status == GradeStatus.DRAFT
        assert not Notification.objects.exists()


def test_adding_an_assessment_column(school: Tenant, people: People) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice])
    client = client_for(school, people.admin)
    url = f"/school/courses/{course.pk}/assessments/"
    response = client.post(url, {"title": "Lab", "max_score": "10", "weight": "2"})
    assert response.status_code == 302
    again = client.post(url, {"title": "lab", "max_score": "10", "weight": "0"})
    assert again.status_code == 400
    assert "already has an assessment called lab" in again.text
    assert "The weight must be above zero." in again.text


def test_term_reports(school: Tenant, people: People) -> None:
    with tenant_context(school):
        term = make_term(name="Spring")
        course = make_course(term=term, students=[people.alice], name="Biology")
        make_grade(
            make_assessment(course, weight="1"), people.alice, "80", by=people.admin, published=True
        )
        make_grade(
            make_assessment(course, weight="3"), people.alice, "40", by=people.admin, published=True
        )
    own = client_for(school, people.alice).get(f"/school/my/terms/{term.pk}/report/")
    assert own.status_code == 200
    assert "Term report: Spring" in own.text and "Biology" in own.text and ">50<" in own.text
    by_admin = client_for(school, people.admin).get(
        f"/school/terms/{term.pk}/students/{people.alice.pk}/report/"
    )
    assert by_admin.status_code == 200 and "Alice" in by_admin.text
    # Bob's report of that term is empty; nobody else's report is reachable by a student
    assert (
        "took no course"
        in client_for(school, people.bob).get(f"/school/my/terms/{term.pk}/report/").text
    )
    assert (
        client_for(school, people.bob)
        .get(f"/school/terms/{term.pk}/students/{people.alice.pk}/report/")
        .status_code
        == 403
    )


# --- invoices and payments -------------------------------------------------------------------


def test_invoice_list_filters(school: Tenant, people: People) -> None:
    with tenant_context(school):
        today = tenant_today()
        a = make_invoice(people.alice, by=people.admin, description="Tuition autumn")
        b = make_invoice(
            people.bob,
            by=people.admin,
            description="Lab fee",
            status="overdue",
            due_on=today - timedelta(days=2),
        )
        c = make_invoice(people.bob, by=people.admin, description="Trip", status="paid", paid="100")
    client = client_for(school, people.admin)

    def numbers(query: str) -> set[str]:
        text = client.get(f"/school/invoices/?{query}").text
        return {i.number for i in (a, b, c) if i.number in text}

    assert numbers("") == {a.number, b.number, c.number}
    assert numbers("status=overdue") == {b.number}
    assert numbers("status=open") == {a.number, b.number}
    assert numbers(f"student={people.bob.pk}") == {b.number, c.number}
    assert numbers("q=tuition") == {a.number}
    assert numbers(f"q={c.number}") == {c.number}
    assert numbers(f"due_to={(today - timedelta(days=1)).isoformat()}") == {b.number}
    assert client.get("/school/invoices/?status=bogus").status_code == 400


def test_issue_invoice_form(school: Tenant, people: People) -> None:
    client = client_for(school, people.admin)
    due = (tenant_today() + timedelta(days=10)).isoformat()
    refused = client.post(
        "/school/invoices/new/", {"student": people.alice.pk, "amount": "", "due_on": due}
    )
    assert refused.status_code == 400 and "Give an amount (or pick a fee)." in refused.text
    response = client.post(
        "/school/invoices/new/",
        {"student": people.alice.pk, "description": "Books", "amount": "45.50", "due_on": due},
    )
    assert response.status_code == 302
    with tenant_context(school):
        invoice = Invoice.objects.get()
        assert invoice.amount == Decimal("45.50") and invoice.currency == school.currency


def test_record_payment_form(school: Tenant, people: People) -> None:
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin, amount="80.00")
    client = client_for(school, people.admin)
    url = f"/school/invoices/{invoice.pk}/pay/"
    page = client.get(f"/school/invoices/{invoice.pk}/")
    assert page.status_code == 200 and "Record a payment" in page.text
    # above the balance: a clear error, nothing written
    response = client.post(url, {"amount": "80.01", "method": "cash"})
    assert response.status_code == 400
    assert "is more than the balance of" in response.text
    with tenant_context(school):
        assert not Payment.objects.exists()
    # a partial payment, then the rest
    assert client.post(url, {"amount": "30", "method": "cash"}).status_code == 302
    assert client.post(url, {"amount": "50.00", "method": "card"}).status_code == 302
    with tenant_context(school):
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PAID
    # once paid: a conflict
    conflict = client.post(url, {"amount": "1", "method": "cash"})
    assert conflict.status_code == 409 and "already paid in full" in conflict.text


def test_students_see_only_their_own_invoices_and_receipts(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    with tenant_context(school):
        mine = make_invoice(people.alice, by=people.admin, description="Alice tuition")
        theirs = make_invoice(people.bob, by=people.admin, description="Bob tuition")
        my_payment = Payment.objects.create(
            invoice=mine, amount=Decimal("10"), method="cash", recorded_by=people.admin
        )
        their_payment = Payment.objects.create(
            invoice=theirs, amount=Decimal("10"), method="cash", recorded_by=people.admin
        )
    alice = client_for(school, people.alice)
    page = alice.get("/school/my/invoices/")
    assert "Alice tuition" in page.text and "Bob tuition" not in page.text
    # the fragment the page re-reads is the page's own markup of the same rows and balance
    fragment = alice.get("/school/my/invoices/fragment/").content.decode()
    assert fragment.strip() and fragment in page.content.decode()
    assert "Alice tuition" in fragment and my_payment.receipt_number in fragment
    assert "Bob tuition" not in fragment and their_payment.receipt_number not in fragment
    assert f"$100.00 {school.currency}" in fragment
    state = alice.get("/school/my/balance.json").json()
    assert [i["id"] for i in state["invoices"]] == [mine.pk]
    assert state["balance"] == "100.00" and state["currency"] == school.currency
    assert alice.get(f"/school/payments/{my_payment.pk}/receipt/").status_code == 200
    assert alice.get(f"/school/payments/{their_payment.pk}/receipt/").status_code == 404
    # the administrator sees every receipt
    receipt = client_for(school, people.admin).get(f"/school/payments/{their_payment.pk}/receipt/")
    assert receipt.status_code == 200 and their_payment.receipt_number in receipt.text
    # a student of another school sees nothing of this school
    stranger = make_user(school_b, Role.STUDENT)
    other = client_for(school_b, stranger)
    assert other.get("/school/my/balance.json").json()["invoices"] == []
    assert other.get(f"/school/payments/{my_payment.pk}/receipt/").status_code == 404
    admin_b = make_user(school_b, Role.ADMINISTRATOR)
    assert client_for(school_b, admin_b).get(f"/school/invoices/{mine.pk}/").status_code == 404


def test_payments_feed_page_and_state(school: Tenant, people: People) -> None:
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin)
        payment = Payment.objects.create(
            invoice=invoice, amount=Decimal("12.34"), method="card", recorded_by=people.admin
        )
    client = client_for(school, people.admin)
    page = client.get("/school/payments/")
    assert page.status_code == 200 and payment.receipt_number in page.text
    assert "school/payments_feed.js" in page.text
    state = client.get("/school/payments/feed.json").json()
    assert [p["receipt_number"] for p in state["payments"]] == [payment.receipt_number]
    assert state["payments"][0]["amount_text"] == f"$12.34 {school.currency}"
    # the fragment the page re-reads is the page's own markup of the same rows
    fragment = client.get("/school/payments/fragment/").content.decode()
    assert fragment.strip() and fragment in page.content.decode()
    assert f'data-payment-id="{payment.pk}"' in fragment and f"$12.34 {school.currency}" in fragment


def test_fee_catalogue(school: Tenant, people: People) -> None:
    client = client_for(school, people.admin)
    assert client.post("/school/fees/", {"name": "Lab fee", "amount": "80"}).status_code == 302
    page = client.get("/school/fees/")
    assert "Lab fee" in page.text and f"$80.00 {school.currency}" in page.text
    duplicate = client.post("/school/fees/", {"name": "lab fee", "amount": "-1"})
    assert duplicate.status_code == 400
    assert "The amount must be above zero." in duplicate.text
    assert client_for(school, people.alice).get("/school/fees/").status_code == 403
