"""Every notification the school sends, declared once: its parameters (what is stored), who
receives it, and how its title, body and link read — rendered from the parameters alone,
whenever a page, a socket or an e-mail shows it.

Services build the parameters with the builders at the end of this module and call
`realtime.services.notify(recipients=..., kind=..., params=...)`. The pages' scripts read
some parameters (tests/school/test_notification_catalogue.py keeps them declared)."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypedDict

from django.urls import reverse

from realtime.catalogue import NotificationType, register
from school import grading
from school.models import Course, Grade, Invoice, Payment
from school.money import money_text
from school.payloads import GradeRow, InvoiceState, grade_row, invoice_state

# --- grades ----------------------------------------------------------------------------------


class GradeParams(TypedDict):
    """Published or corrected grades of one student in one course (at most
    school.services.grades.ROWS_PER_NOTIFICATION rows), with the course's new average."""

    term_id: int
    term: str
    course_id: int
    course: str
    grades: list[GradeRow]
    course_average: str | None


def _plain(decimal_text: str) -> str:
    """ "17.00" → "17", "12.50" → "12.5": scores as people write them."""
    return f"{Decimal(decimal_text).normalize():f}"


def _grades_listed(p: GradeParams) -> str:
    return ", ".join(
        f"{g['assessment']} {_plain(g['score'])}/{_plain(g['max_score'])}" for g in p["grades"]
    )


def _published_title(p: GradeParams) -> str:
    count = len(p["grades"])
    title = "New grade" if count == 1 else f"{count} new grades"
    return f"{title} in {p['course']}"


def _corrected_title(p: GradeParams) -> str:
    count = len(p["grades"])
    title = "Grade corrected" if count == 1 else f"{count} grades corrected"
    return f"{title} in {p['course']}"


def _my_grades(p: GradeParams) -> str:
    return reverse("school:my_grades")


GRADE_PUBLISHED = register(
    NotificationType(
        type="grade.published",
        params=GradeParams,
        audience="the student whose grades were published",
        title=_published_title,
        body=_grades_listed,
        url=_my_grades,
    )
)
GRADE_UPDATED = register(
    NotificationType(
        type="grade.updated",
        params=GradeParams,
        audience="the student whose published grades were corrected",
        title=_corrected_title,
        body=_grades_listed,
        url=_my_grades,
    )
)


# --- invoices and payments -------------------------------------------------------------------


class InvoiceParams(TypedDict):
    """One invoice of the student as their page shows it, and what they owe in all."""

    invoice: InvoiceState
    balance: str


class PaymentParams(InvoiceParams):
    payment_id: int
    receipt_number: str
    receipt_url: str
    amount: str


class DueSoonParams(InvoiceParams):
    due_in_days: int  # as of the day the reminder was sent


def _money(amount: str, invoice: InvoiceState) -> str:
    return money_text(Decimal(amount), invoice["currency"])


def _due_on(invoice: InvoiceState) -> str:
    return f"{date.fromisoformat(invoice['due_on']):%d %b %Y}"


def _named(invoice: InvoiceState) -> str:
    return f"{invoice['number']} {invoice['description']}"


# Rendered when shown: what the student owes in all, as their page writes it.
INVOICE_LABELS: dict[str, Callable[[InvoiceParams], str]] = {
    "balance_text": lambda p: _money(p["balance"], p["invoice"]),
}


def _my_invoices(p: InvoiceParams) -> str:
    return reverse("school:my_invoices")


def _issued_body(p: InvoiceParams) -> str:
    i = p["invoice"]
    return f"{_named(i)}: {_money(i['amount'], i)}, due {_due_on(i)}."


def _cancelled_body(p: InvoiceParams) -> str:
    return f"{_named(p['invoice'])} was cancelled; you owe nothing on it."


def _overdue_body(p: InvoiceParams) -> str:
    i = p["invoice"]
    return f"{_named(i)} was due on {_due_on(i)}; {_money(i['balance'], i)} is still outstanding."


def _due_soon_body(p: DueSoonParams) -> str:
    i, days = p["invoice"], p["due_in_days"]
    when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
    return f"{_named(i)} is due {when} ({_due_on(i)}): {_money(i['balance'], i)} to pay."


def _payment_body(p: PaymentParams) -> str:
    i = p["invoice"]
    return (
        f"{_money(p['amount'], i)} received for {_named(i)}. "
        f"Remaining on it: {_money(i['balance'], i)}."
    )


INVOICE_ISSUED = register(
    NotificationType(
        type="invoice.issued",
        params=InvoiceParams,
        audience="the student billed",
        title=lambda p: "New invoice",
        body=_issued_body,
        url=_my_invoices,
        labels=INVOICE_LABELS,
    )
)
INVOICE_CANCELLED = register(
    NotificationType(
        type="invoice.cancelled",
        params=InvoiceParams,
        audience="the student of the cancelled invoice",
        title=lambda p: "Invoice cancelled",
        body=_cancelled_body,
        url=_my_invoices,
        labels=INVOICE_LABELS,
    )
)
INVOICE_OVERDUE = register(
    NotificationType(
        type="invoice.overdue",
        params=InvoiceParams,
        audience="the student of an invoice the daily run found late (also by e-mail)",
        title=lambda p: "Invoice overdue",
        body=_overdue_body,
        url=_my_invoices,
        labels=INVOICE_LABELS,
    )
)
INVOICE_DUE_SOON = register(
    NotificationType(
        type="invoice.due_soon",
        params=DueSoonParams,
        audience="the student of an open invoice falling due within days (also by e-mail)",
        title=lambda p: "Invoice due soon",
        body=_due_soon_body,
        url=_my_invoices,
        labels=INVOICE_LABELS,
    )
)
PAYMENT_RECORDED = register(
    NotificationType(
        type="payment.recorded",
        params=PaymentParams,
        audience="the student whose invoice was paid",
        title=lambda p: "Payment received",
        body=_payment_body,
        url=_my_invoices,
        labels=INVOICE_LABELS,
    )
)


# --- builders (services call these) ----------------------------------------------------------


def grade_rows_params(
    *, course: Course, grades: list[Grade], average: Decimal | None
) -> GradeParams:
    return {
        "term_id": course.term_id,
        "term": course.term.name,
        "course_id": course.pk,
        "course": course.name,
        "grades": [grade_row(g) for g in grades],
        "course_average": grading.decimal_text(average),
    }


def invoice_params(*, invoice: Invoice, balance: Decimal) -> InvoiceParams:
    """`balance` is what the student owes over all their open invoices."""
    return {
        "invoice": invoice_state(invoice),
        "balance": str(balance),
    }


def payment_params(*, payment: Payment, balance: Decimal) -> PaymentParams:
    invoice = payment.invoice
    return {
        **invoice_params(invoice=invoice, balance=balance),
        "payment_id": payment.pk,
        "receipt_number": payment.receipt_number,
        "receipt_url": reverse("school:receipt", args=[payment.pk]),
        "amount": str(payment.amount),
    }


def due_soon_params(*, invoice: Invoice, balance: Decimal, today: date) -> DueSoonParams:
    return {
        **invoice_params(invoice=invoice, balance=balance),
        "due_in_days": (invoice.due_on - today).days,
    }
