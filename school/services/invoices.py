"""Writes of fees, invoices and payments. Each change that concerns a student notifies them in
the same transaction; payments also go to the administrators' live payments feed."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from realtime.topics import topic_publish_on_commit
from school import states
from school.clock import tenant_currency, tenant_today
from school.errors import Conflict
from school.models import BillingRun, FeeItem, Invoice, Payment, PaymentMethod
from school.money import clean_amount, money_text
from school.notifications import (
    INVOICE_CANCELLED,
    INVOICE_ISSUED,
    PAYMENT_RECORDED,
    cancel_params,
    invoice_params,
    payment_params,
)
from school.payloads import PAYMENTS_FEED_ID, PAYMENTS_TOPIC, payment_row
from school.selectors import student_balance
from school.services.common import notify_family, require_administrator, require_student
from school.services.totals import totals_changed
from school.states import InvoiceStatus

# The longest a cancellation reason or a payment's reference may be (their columns).
CANCEL_REASON_MAX = 200
REFERENCE_MAX = 100


def _fee_fields(*, name: str, amount: Decimal | str, other_than: int | None = None) -> Decimal:
    """A fee's name (unique in the catalogue, whatever the case) and amount, checked."""
    if not name:
        raise ValidationError({"name": gettext("A fee needs a name.")})
    cleaned = clean_amount(amount)
    same_name = FeeItem.objects.filter(name__iexact=name)
    if other_than is not None:
        same_name = same_name.exclude(pk=other_than)
    if same_name.exists():
        raise ValidationError(
            {"name": gettext("The catalogue already has a fee called %(name)s.") % {"name": name}}
        )
    return cleaned


def fee_create(*, name: str, amount: Decimal | str) -> FeeItem:
    name = name.strip()
    cleaned = _fee_fields(name=name, amount=amount)
    return FeeItem.objects.create(name=name, amount=cleaned)


def fee_update(*, fee: FeeItem, name: str, amount: Decimal | str, by: User) -> FeeItem:
    """A fee's new name or amount, for the invoices issued from now on: each invoice keeps the
    description and amount it was issued with (Invoice copies them), so nothing billed moves."""
    require_administrator(by)
    name = name.strip()
    cleaned = _fee_fields(name=name, amount=amount, other_than=fee.pk)
    fee.name, fee.amount = name, cleaned
    fee.save(update_fields=["name", "amount"])
    return fee


def fee_set_active(*, fee: FeeItem, active: bool, by: User) -> FeeItem:
    """Take a fee out of the catalogue (no longer offered when issuing) or put it back; the
    invoices already issued for it keep it."""
    require_administrator(by)
    if fee.is_active == active:
        raise Conflict(
            (
                gettext("%(fee)s is already in the catalogue.")
                if active
                else gettext("%(fee)s is already out of the catalogue.")
            )
            % {"fee": fee.name}
        )
    fee.is_active = active
    fee.save(update_fields=["is_active"])
    return fee


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
        errors["description"] = [gettext("Say what the invoice is for (or pick a fee).")]
    if fee is not None and not fee.is_active:
        errors["fee"] = [gettext("%(fee)s is no longer in the catalogue.") % {"fee": fee.name}]
    cleaned = fee.amount if fee is not None else None
    if amount is not None and amount != "":
        try:
            cleaned = clean_amount(amount)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    elif cleaned is None:
        errors["amount"] = [gettext("Give an amount (or pick a fee).")]
    today = tenant_today()
    if due_on < today:
        errors["due_on"] = [gettext("The due date cannot be in the past.")]
    if errors or cleaned is None:
        raise ValidationError(errors)
    with transaction.atomic():
        invoice = invoice_create_and_notify(
            student=student,
            fee=fee,
            description=description,
            amount=cleaned,
            issued_on=today,
            due_on=due_on,
            by=by,
        )
        totals_changed()
    return invoice


def invoice_create_and_notify(
    *,
    student: User,
    fee: FeeItem | None,
    description: str,
    amount: Decimal,
    issued_on: date,
    due_on: date,
    by: User,
    billing_run: BillingRun | None = None,
) -> Invoice:
    """The invoice row and the family's "New invoice", in the caller's transaction: what
    invoice_issue and a billing run do for each student, once the input is checked."""
    invoice = Invoice.objects.create(
        student=student,
        fee=fee,
        description=description,
        amount=amount,
        currency=tenant_currency(),
        issued_on=issued_on,
        due_on=due_on,
        issued_by=by,
        billing_run=billing_run,
    )
    notify_family(
        student=student,
        kind=INVOICE_ISSUED,
        params=invoice_params(invoice=invoice, balance=_owed(invoice)),
    )
    return invoice


def invoice_cancel(*, invoice: Invoice, reason: str, by: User) -> Invoice:
    """Cancel an unpaid invoice, saying why: the reason is kept on the invoice and told to the
    student and their guardians."""
    require_administrator(by)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": gettext("Say why the invoice is cancelled.")})
    if len(reason) > CANCEL_REASON_MAX:
        raise ValidationError(
            {
                "reason": gettext("Keep the reason under %(max)d characters.")
                % {"max": CANCEL_REASON_MAX}
            }
        )
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status == InvoiceStatus.CANCELLED:
            raise Conflict(
                gettext("%(invoice)s is already cancelled.") % {"invoice": locked.number}
            )
        if not states.can_cancel(status=locked.status, amount_paid=locked.amount_paid):
            raise Conflict(
                gettext("%(invoice)s has payments recorded against it and cannot be cancelled.")
                % {"invoice": locked.number}
            )
        now = timezone.now()
        locked.status = InvoiceStatus.CANCELLED
        locked.cancel_reason, locked.cancelled_at, locked.cancelled_by = reason, now, by
        locked.updated_at = now
        locked.save(
            update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by", "updated_at"]
        )
        notify_family(
            student=locked.student_id,
            kind=INVOICE_CANCELLED,
            params=cancel_params(invoice=locked, balance=_owed(locked)),
        )
        totals_changed()
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
        raise ValidationError({"method": gettext("Choose how the money was paid.")})
    reference = reference.strip()
    if len(reference) > REFERENCE_MAX:
        raise ValidationError(
            {
                "reference": gettext("Keep the reference under %(max)d characters.")
                % {"max": REFERENCE_MAX}
            }
        )
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().select_related("student").get(pk=invoice.pk)
        if locked.status == InvoiceStatus.CANCELLED:
            raise Conflict(
                gettext("%(invoice)s is cancelled; it cannot be paid.") % {"invoice": locked.number}
            )
        if locked.status == InvoiceStatus.PAID:
            raise Conflict(
                gettext("%(invoice)s is already paid in full.") % {"invoice": locked.number}
            )
        if cleaned > locked.balance:
            raise ValidationError(
                {
                    "amount": gettext(
                        "%(amount)s is more than the balance of %(invoice)s (%(balance)s)."
                    )
                    % {
                        "amount": money_text(cleaned, locked.currency),
                        "invoice": locked.number,
                        "balance": money_text(locked.balance, locked.currency),
                    }
                }
            )
        payment = Payment.objects.create(
            invoice=locked,
            amount=cleaned,
            method=method,
            reference=reference,
            recorded_by=by,
        )
        locked.amount_paid += cleaned
        locked.status = states.status_after_payment(status=locked.status, balance=locked.balance)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["amount_paid", "status", "updated_at"])
        notify_family(
            student=locked.student_id,
            kind=PAYMENT_RECORDED,
            params=payment_params(payment=payment, balance=_owed(locked)),
        )
        topic_publish_on_commit(
            topic=PAYMENTS_TOPIC,
            object_id=PAYMENTS_FEED_ID,
            event={"type": "payment.recorded", "payment": payment_row(payment)},
        )
        totals_changed()
    return payment


def _owed(invoice: Invoice) -> Decimal:
    """What the invoice's student owes over all their open invoices, this change included."""
    return student_balance(student=invoice.student_id)
