"""The shapes school records take in JSON: in notification parameters, topic events and the
pages' JSON state. Services (which send them) and selectors (which serve them) both import
this module; it imports neither, so selectors stay a layer under services."""

from decimal import Decimal
from typing import TypedDict

from django.urls import reverse

from school import grading, states
from school.models import Grade, Invoice, Payment
from school.money import money_text

# The administrators' live payments feed (a realtime topic). It is one per school, so its
# object id is always 0.
PAYMENTS_TOPIC = "school.payments"
PAYMENTS_FEED_ID = 0
# An announcement's read count, live on its author's page (object id: the announcement's).
ANNOUNCEMENT_TOPIC = "school.announcement"
# The administrators' overview totals (outstanding, overdue): a "changed" ping per commit
# that moves them, the page re-reads them as the server renders them. One per school: id 0.
TOTALS_TOPIC = "school.totals"
TOTALS_ID = 0
# A billing run's live progress (object id: the run), for the school's administrators.
BILLING_RUN_TOPIC = "school.billing_run"


def _decimal(value: Decimal) -> str:
    """Decimals travel as strings with two places, so no float rounding creeps in."""
    return str(value.quantize(grading.CENT))


def cell_key(assessment_id: int, student_id: int) -> str:
    """The name of a gradebook cell, used for inputs and for errors."""
    return f"g-{assessment_id}-{student_id}"


class GradeRow(TypedDict):
    id: int
    assessment_id: int
    assessment: str
    position: int
    score: str
    max_score: str
    weight: str
    percent: str
    version: str


def grade_row(grade: Grade) -> GradeRow:
    """One published grade as the student's page shows it (also the JSON state's row)."""
    assessment = grade.assessment
    return {
        "id": grade.pk,
        "assessment_id": assessment.pk,
        "assessment": assessment.title,
        "position": assessment.position,
        "score": _decimal(grade.score),
        "max_score": _decimal(assessment.max_score),
        "weight": _decimal(assessment.weight),
        "percent": _decimal(grading.percent(grade.score, assessment.max_score)),
        "version": grade.updated_at.isoformat(),
    }


class InvoiceRow(TypedDict):
    """An invoice's facts, as notifications store them: its status label is not among them, as
    the label is a sentence in someone's language (rendered when shown: school.states)."""

    id: int
    number: str
    description: str
    amount: str
    amount_paid: str
    balance: str
    currency: str
    due_on: str
    status: str
    version: str


class InvoiceState(InvoiceRow):
    """An invoice as the student's page reads it (the JSON state's row): the facts and the
    status label in the language of the request."""

    status_label: str


def invoice_row(invoice: Invoice) -> InvoiceRow:
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
        "version": invoice.updated_at.isoformat(),
    }


def invoice_state(invoice: Invoice) -> InvoiceState:
    return {**invoice_row(invoice), "status_label": states.status_label(invoice.status)}


class PaymentRow(TypedDict):
    id: int
    receipt_number: str
    amount: str
    currency: str
    amount_text: str
    method: str
    reference: str
    received_at: str
    student_id: int
    student: str
    invoice_id: int
    invoice_number: str
    invoice_status: str
    invoice_balance: str
    receipt_url: str
    invoice_url: str


def payment_row(payment: Payment) -> PaymentRow:
    """A payment as the administrators' feed shows it (the topic event's `payment`)."""
    invoice = payment.invoice
    return {
        "id": payment.pk,
        "receipt_number": payment.receipt_number,
        "amount": str(payment.amount),
        "currency": invoice.currency,
        "amount_text": money_text(payment.amount, invoice.currency),
        "method": payment.get_method_display(),
        "reference": payment.reference,
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
