"""Writes of fees, invoices and payments. Each change that concerns a student notifies them in
the same transaction; payments also go to the administrators' live payments feed."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from realtime.services import notify
from realtime.topics import topic_publish_on_commit
from school.clock import tenant_currency, tenant_today
from school.errors import Conflict
from school.models import (
    FeeItem,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from school.money import clean_amount, money_text
from school.services.common import require_administrator, require_student

PAYMENTS_TOPIC = "school.payments"
# The administrators' feed is one per school, so its object id is always 0.
PAYMENTS_FEED_ID = 0


def fee_create(*, name: str, amount: Decimal | str) -> FeeItem:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A fee needs a name."})
    cleaned = clean_amount(amount)
    if FeeItem.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"The catalogue already has a fee called {name}."})
    return FeeItem.objects.create(name=name, amount=cleaned)


def invoice_issue(
    *,
    student: User,
    due_on: date,
    by: User,
    fee: FeeItem | None = None,
    amount: Decimal | str | None = None,
    description: str = "",
) -> Invoice:
    """Bill a student, for a catalogue fee (its amount unless one is given) or a free item."""
    require_administrator(by)
    require_student(student)
    errors: dict[str, list[str]] = {}
    description = description.strip() or (fee.name if fee else "")
    if not description:
        errors["description"] = ["Say what the invoice is for (or pick a fee)."]
    if fee is not None and not fee.is_active:
        errors["fee"] = [f"{fee.name} is no longer in the catalogue."]
    cleaned = fee.amount if fee is not None else None
    if amount is not None and amount != "":
        try:
            cleaned = clean_amount(amount)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    elif cleaned is None:
        errors["amount"] = ["Give an amount (or pick a fee)."]
    today = tenant_today()
    if due_on < today:
        errors["due_on"] = ["The due date cannot be in the past."]
    if errors or cleaned is None:
        raise ValidationError(errors)
    with transaction.atomic():
        invoice = Invoice.objects.create(
            student=student,
            fee=fee,
            description=description,
            amount=cleaned,
            currency=tenant_currency(),
            issued_on=today,
            due_on=due_on,
            issued_by=by,
        )
        notify_student(
            invoice=invoice,
            type="invoice.issued",
            title="New invoice",
            body=(
                f"{invoice.number} {invoice.description}: "
                f"{money_text(invoice.amount, invoice.currency)}, due {invoice.due_on:%d %b %Y}."
            ),
        )
    return invoice


def invoice_cancel(*, invoice: Invoice, by: User) -> Invoice:
    require_administrator(by)
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status == InvoiceStatus.CANCELLED:
            raise Conflict(f"{locked.number} is already cancelled.")
        if locked.amount_paid > 0:
            raise Conflict(
                f"{locked.number} has payments recorded against it and cannot be cancelled."
            )
        locked.status = InvoiceStatus.CANCELLED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        notify_student(
            invoice=locked,
            type="invoice.cancelled",
            title="Invoice cancelled",
            body=f"{locked.number} {locked.description} was cancelled; you owe nothing on it.",
        )
    return locked


def payment_record(
    *,
    invoice: Invoice,
    amount: Decimal | str,
    method: str,
    by: User,
    reference: str = "",
) -> Payment:
    """Record money received against an invoice: partial payments are fine, more than the
    balance never is (checked under a row lock, so two cashiers cannot both take the rest)."""
    require_administrator(by)
    cleaned = clean_amount(amount)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": "Choose how the money was paid."})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().select_related("student").get(pk=invoice.pk)
        if locked.status == InvoiceStatus.CANCELLED:
            raise Conflict(f"{locked.number} is cancelled; it cannot be paid.")
        if locked.status == InvoiceStatus.PAID:
            raise Conflict(f"{locked.number} is already paid in full.")
        if cleaned > locked.balance:
            raise ValidationError(
                {
                    "amount": (
                        f"{money_text(cleaned, locked.currency)} is more than the balance of "
                        f"{locked.number} ({money_text(locked.balance, locked.currency)})."
                    )
                }
            )
        payment = Payment.objects.create(
            invoice=locked,
            amount=cleaned,
            method=method,
            reference=reference.strip()[:80],
            recorded_by=by,
        )
        locked.amount_paid += cleaned
        if locked.balance == 0:
            locked.status = InvoiceStatus.PAID
        elif locked.status != InvoiceStatus.OVERDUE:
            # A partial payment does not make an overdue invoice any less late.
            locked.status = InvoiceStatus.PARTIALLY_PAID
        locked.updated_at = timezone.now()
        locked.save(update_fields=["amount_paid", "status", "updated_at"])
        notify_student(
            invoice=locked,
            type="payment.recorded",
            title="Payment received",
            body=(
                f"{money_text(cleaned, locked.currency)} received for {locked.number} "
                f"{locked.description}. Remaining on it: "
                f"{money_text(locked.balance, locked.currency)}."
            ),
            extra={
                "payment_id": payment.pk,
                "receipt_number": payment.receipt_number,
                "receipt_url": reverse("school:receipt", args=[payment.pk]),
                "amount": str(cleaned),
            },
        )
        topic_publish_on_commit(
            topic=PAYMENTS_TOPIC,
            object_id=PAYMENTS_FEED_ID,
            event={"type": "payment.recorded", "payment": payment_row(payment)},
        )
    return payment


def payment_row(payment: Payment) -> dict[str, Any]:
    """A payment as the administrators' feed shows it."""
    invoice = payment.invoice
    return {
        "id": payment.pk,
        "receipt_number": payment.receipt_number,
        "amount": str(payment.amount),
        "currency": invoice.currency,
        "amount_text": money_text(payment.amount, invoice.currency),
        "method": payment.get_method_display(),
        "received_at": payment.received_at.isoformat(),
        "student_id": invoice.student_id,
        "student": invoice.student.display_name,
        "invoice_id": invoice.pk,
        "invoice_number": invoice.number,
        "invoice_status": invoice.status,
        "invoice_balance": str(invoice.balance),
        "receipt_url": reverse("school:receipt", args=[payment.pk]),
        "invoice_url": reverse("school:invoice_detail", args=[invoice.pk]),
    }


def invoice_state(invoice: Invoice) -> dict[str, Any]:
    """An invoice as the student's page shows it (also the JSON state's row)."""
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "description": invoice.description,
        "amount": str(invoice.amount),
        "amount_paid": str(invoice.amount_paid),
        "balance": str(invoice.balance),
        "currency": invoice.currency,
        "due_on": invoice.due_on.isoformat(),
        "status": invoice.status,
        "status_label": invoice.get_status_display(),
        "version": invoice.updated_at.isoformat(),
    }


def notify_student(
    *,
    invoice: Invoice,
    type: str,
    title: str,
    body: str,
    extra: dict[str, Any] | None = None,
) -> None:
    from school.selectors import student_balance

    balance = student_balance(student=invoice.student_id)
    notify(
        recipients=[invoice.student_id],
        type=type,
        data={
            "title": title,
            "body": body,
            "url": reverse("school:my_invoices"),
            "invoice": invoice_state(invoice),
            "balance": str(balance),
            "balance_text": money_text(balance, invoice.currency),
            **(extra or {}),
        },
    )
