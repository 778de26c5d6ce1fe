"""Each payment says how it was paid (cash, card, transfer, cheque, other) and, optionally,
its reference; the invoice page, the receipt and the payments feed show both. An invoice is
cancelled only with a reason, kept on it and told to the student and their guardians."""

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.roles import Role
from realtime.catalogue import render
from realtime.models import Notification
from school.models import Guardianship, Invoice, InvoiceStatus, Payment
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.conftest import People
from tests.school.factories import make_invoice

pytestmark = pytest.mark.django_db


def test_a_cheque_with_its_number_shows_on_the_invoice_receipt_and_feed(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    # given an open invoice
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin, amount="300.00")
    admin = client_for(school, people.admin)
    # when the administrator records a cheque with its number
    response = admin.post(
        f"/school/invoices/{invoice.pk}/pay/",
        {"amount": "120", "method": "cheque", "reference": "Cheque 004512 Banorte"},
    )
    assert response.status_code == 302
    with tenant_context(school):
        payment = Payment.objects.get()
    assert (payment.method, payment.reference) == ("cheque", "Cheque 004512 Banorte")
    # then the invoice page, the receipt (also the student's) and the feed show both
    for page in (
        admin.get(f"/school/invoices/{invoice.pk}/"),
        admin.get(f"/school/payments/{payment.pk}/receipt/"),
        client_for(school, people.alice).get(f"/school/payments/{payment.pk}/receipt/"),
        admin.get("/school/payments/"),
        admin.get("/school/payments/fragment/"),
    ):
        assert page.status_code == 200
        assert "Cheque" in page.text and "Cheque 004512 Banorte" in page.text
    row = admin.get("/school/payments/feed.json").json()["payments"][0]
    assert (row["method"], row["reference"]) == ("Cheque", "Cheque 004512 Banorte")
    # and the other school has no payment
    with tenant_context(school_b):
        assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"amount": "10", "method": "bitcoin"},
        {"amount": "10", "method": ""},
        {"amount": "10", "method": "cash", "reference": "x" * 101},
    ],
)
def test_an_unknown_method_or_a_too_long_reference_is_refused(
    school: Tenant, people: People, data: dict[str, str]
) -> None:
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin)
    response = client_for(school, people.admin).post(f"/school/invoices/{invoice.pk}/pay/", data)
    assert response.status_code == 400 and 'class="errorlist' in response.text
    with tenant_context(school):
        assert not Payment.objects.exists()


def test_the_method_choices_include_cheque(school: Tenant, people: People) -> None:
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin)
    page = client_for(school, people.admin).get(f"/school/invoices/{invoice.pk}/").text
    for value in ("cash", "card", "transfer", "cheque", "other"):
        assert f'value="{value}"' in page


def _notified(user_pk: int) -> list[Any]:
    return list(Notification.objects.filter(recipient_id=user_pk, type="invoice.cancelled"))


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(school: Tenant, people: People, reason: str) -> None:
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin)
    response = client_for(school, people.admin).post(
        f"/school/invoices/{invoice.pk}/cancel/", {"reason": reason}
    )
    assert response.status_code == 400
    assert "Say why the invoice is cancelled." in response.text
    with tenant_context(school):
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.ISSUED and invoice.cancel_reason == ""
        assert _notified(people.alice.pk) == []


def test_the_reason_is_kept_shown_and_told_to_the_family(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    # given a student with a guardian and an unpaid invoice
    guardian = make_user(school, Role.GUARDIAN, name="Gloria")
    with tenant_context(school):
        Guardianship.objects.create(guardian=guardian, student=people.alice)
        invoice = make_invoice(people.alice, by=people.admin, description="Trip")
    admin = client_for(school, people.admin)
    # when the administrator cancels it saying why
    response = admin.post(
        f"/school/invoices/{invoice.pk}/cancel/", {"reason": "Trip called off by the museum"}
    )
    assert response.status_code == 302
    # then the invoice keeps the reason and its page shows it
    with tenant_context(school):
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.CANCELLED
        assert invoice.cancel_reason == "Trip called off by the museum"
        assert invoice.cancelled_by_id == people.admin.pk and invoice.cancelled_at
        student_copy, guardian_copy = _notified(people.alice.pk), _notified(guardian.pk)
    page = admin.get(f"/school/invoices/{invoice.pk}/").text
    assert "Trip called off by the museum" in page and "Cancel invoice" not in page
    # and the student and the guardian read it in the notification, in their language
    assert len(student_copy) == 1 and len(guardian_copy) == 1
    body = render("invoice.cancelled", student_copy[0].data, language="en").body
    assert body == (
        f"{invoice.number} Trip was cancelled (Trip called off by the museum); "
        "you owe nothing on it."
    )
    spanish = render("invoice.cancelled", guardian_copy[0].data, language="es-mx")
    assert "Trip called off by the museum" in spanish.body and "fue cancelada" in spanish.body
    # and nobody of the other school heard of it
    with tenant_context(school_b):
        assert not Notification.objects.exists() and not Invoice.objects.exists()


def test_an_invoice_with_payments_is_not_cancelled_even_with_a_reason(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        invoice = make_invoice(
            people.alice, by=people.admin, amount="100", paid="10", status="partially_paid"
        )
    response = client_for(school, people.admin).post(
        f"/school/invoices/{invoice.pk}/cancel/", {"reason": "Billed twice"}
    )
    assert response.status_code == 409 and "cannot be cancelled" in response.text
    with tenant_context(school):
        invoice.refresh_from_db()
        assert invoice.status == "partially_paid" and invoice.cancel_reason == ""
