"""Payment rules: Decimal amounts in the tenant's currency, partial payments, never above the
balance, statuses, and exactly one notification plus one feed event after commit."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import tenant_context

from realtime.models import Notification
from school import selectors
from school.clock import tenant_today
from school.errors import Conflict
from school.models import Invoice, InvoiceStatus, Payment
from school.payloads import PAYMENTS_TOPIC
from school.services import invoices
from tenants.models import Tenant
from tests.school.conftest import People
from tests.school.factories import make_invoice
from tests.school.helpers import listening

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def types_for(user: Any) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("seq").values_list("type", flat=True)
    )


def test_issuing_an_invoice_uses_the_school_currency_and_tells_the_student(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        fee = invoices.fee_create(name="Tuition", amount="1200.00")
        with on_commit(execute=True):
            invoice = invoices.invoice_issue(
                student=people.alice,
                fee=fee,
                due_on=tenant_today() + timedelta(days=30),
                by=people.admin,
            )
        assert invoice.amount == Decimal("1200.00") and invoice.currency == school.currency
        assert invoice.status == InvoiceStatus.ISSUED and invoice.description == "Tuition"
        assert types_for(people.alice) == ["invoice.issued"]
        assert types_for(people.bob) == []
        assert selectors.student_balance(student=people.alice) == Decimal("1200.00")


def test_an_invoice_needs_a_sensible_amount_and_due_date(school: Tenant, people: People) -> None:
    with tenant_context(school):
        with pytest.raises(ValidationError) as exc:
            invoices.invoice_issue(
                student=people.alice,
                description="Trip",
                amount="12.345",
                due_on=tenant_today() - timedelta(days=1),
                by=people.admin,
            )
        assert exc.value.message_dict == {
            "amount": ["Amounts have at most two decimals."],
            "due_on": ["The due date cannot be in the past."],
        }
        assert not Invoice.objects.exists()


def test_partial_then_full_payment(school: Tenant, people: People, on_commit: Any) -> None:
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin, amount="100.00")
        # when 40 is paid
        with on_commit(execute=True):
            first = invoices.payment_record(
                invoice=invoice, amount="40", method="cash", by=people.admin
            )
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PARTIALLY_PAID
        assert invoice.balance == Decimal("60.00") and first.amount == Decimal("40.00")
        # when the remaining 60 is paid
        with on_commit(execute=True):
            invoices.payment_record(
                invoice=invoice, amount=Decimal("60.00"), method="card", by=people.admin
            )
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PAID and invoice.balance == Decimal("0.00")
        assert types_for(people.alice) == ["payment.recorded", "payment.recorded"]
        assert first.receipt_number == f"R-{first.pk:06d}"


def test_a_payment_above_the_balance_is_refused_and_nothing_is_written(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        invoice = make_invoice(
            people.alice, by=people.admin, amount="100.00", paid="70.00", status="partially_paid"
        )
        with on_commit(execute=True) as callbacks, pytest.raises(ValidationError) as exc:
            invoices.payment_record(invoice=invoice, amount="30.01", method="cash", by=people.admin)
        assert exc.value.message_dict["amount"] == [
            f"$30.01 {school.currency} is more than the balance of {invoice.number} "
            f"($30.00 {school.currency})."
        ]
        assert callbacks == []
        invoice.refresh_from_db()
        assert invoice.amount_paid == Decimal("70.00")
        assert not Payment.objects.exists() and types_for(people.alice) == []


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.001", "Infinity"])
def test_payment_amounts_must_be_positive_money(
    school: Tenant, people: People, amount: str
) -> None:
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin)
        with pytest.raises(ValidationError) as exc:
            invoices.payment_record(invoice=invoice, amount=amount, method="cash", by=people.admin)
        assert "amount" in exc.value.message_dict
        assert not Payment.objects.exists()


def test_paid_and_cancelled_invoices_take_no_payment(school: Tenant, people: People) -> None:
    with tenant_context(school):
        paid = make_invoice(people.alice, by=people.admin, amount="10", paid="10", status="paid")
        cancelled = make_invoice(people.alice, by=people.admin, status="cancelled")
        for invoice, reason in ((paid, "already paid"), (cancelled, "cancelled")):
            with pytest.raises(Conflict, match=reason):
                invoices.payment_record(invoice=invoice, amount="1", method="cash", by=people.admin)
        assert not Payment.objects.exists()


def test_a_partial_payment_leaves_an_overdue_invoice_overdue(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        invoice = make_invoice(
            people.alice,
            by=people.admin,
            status="overdue",
            due_on=tenant_today() - timedelta(days=3),
        )
        invoices.payment_record(invoice=invoice, amount="10", method="cash", by=people.admin)
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.OVERDUE and invoice.balance == Decimal("90.00")


def test_payment_reaches_the_student_and_the_admin_feed_after_commit(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin, amount="250.00", description="Trip")
        make_invoice(people.alice, by=people.admin, amount="50.00")
        with (
            listening(users=[people.alice]) as alice,
            listening(users=[people.bob, people.admin]) as others,
            listening(topics=[(PAYMENTS_TOPIC, 0)]) as feed,
        ):
            with on_commit(execute=True):
                payment = invoices.payment_record(
                    invoice=invoice,
                    amount="100.50",
                    method="transfer",
                    by=people.admin,
                    reference="TX-1",
                )
            heard = alice.notifications()
            feed_events = feed.events()
            assert others.notifications() == []
        # the student: one payment.recorded with the new balances
        assert [n["type"] for n in heard] == ["payment.recorded"]
        data = heard[0]["data"]
        assert data["title"] == "Payment received"
        assert data["invoice"]["id"] == invoice.pk and data["invoice"]["balance"] == "149.50"
        assert data["balance"] == "199.50"
        assert data["receipt_url"] == f"/school/payments/{payment.pk}/receipt/"
        # the administrators' feed: one topic event
        assert len(feed_events) == 1 and feed_events[0]["topic"] == PAYMENTS_TOPIC
        event = feed_events[0]["event"]
        assert event["type"] == "payment.recorded"
        assert event["payment"]["amount"] == "100.50"
        assert event["payment"]["student"] == "Alice"
        assert event["payment"]["invoice_status"] == "partially_paid"


def test_a_rolled_back_payment_publishes_nothing(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin)
        with listening(users=[people.alice], topics=[(PAYMENTS_TOPIC, 0)]) as heard:
            with (
                on_commit(execute=True) as callbacks,
                pytest.raises(Rollback),
                transaction.atomic(),
            ):
                invoices.payment_record(invoice=invoice, amount="5", method="cash", by=people.admin)
                raise Rollback
            assert callbacks == [] and heard.events() == []
        assert not Payment.objects.exists() and types_for(people.alice) == []
        invoice.refresh_from_db()
        assert invoice.amount_paid == 0


def test_cancelling_an_invoice(school: Tenant, people: People) -> None:
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin)
        invoices.invoice_cancel(invoice=invoice, reason="Billed twice", by=people.admin)
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.CANCELLED
        assert selectors.student_balance(student=people.alice) == 0
        assert types_for(people.alice) == ["invoice.cancelled"]
        paid_some = make_invoice(people.alice, by=people.admin, paid="1", status="partially_paid")
        with pytest.raises(Conflict):
            invoices.invoice_cancel(invoice=paid_some, reason="Billed twice", by=people.admin)


def test_balance_counts_only_the_students_own_open_invoices(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    with tenant_context(school):
        make_invoice(
            people.alice, by=people.admin, amount="100", paid="25", status="partially_paid"
        )
        make_invoice(people.alice, by=people.admin, amount="40", status="cancelled")
        make_invoice(people.alice, by=people.admin, amount="10", paid="10", status="paid")
        make_invoice(people.bob, by=people.admin, amount="999")
        assert selectors.student_balance(student=people.alice) == Decimal("75.00")
        state = selectors.balance_json(student=people.alice)
        assert state["balance"] == "75.00" and len(state["invoices"]) == 3
    with tenant_context(school_b):
        assert not Invoice.objects.exists()
