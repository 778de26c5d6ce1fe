"""The invoice life cycle as data: its statuses, which moves between them are allowed, and the
sets other code asks about ("still asks for money", "can be reminded before it falls due").
Services, selectors and templates read these; nothing restates them.

    issued ──payment──▶ partially_paid ──payment──▶ paid
      │  ╲                   │
      │   ╲──daily run──▶ overdue ──payment──▶ paid   (a partial payment keeps it overdue)
      └──cancel (nothing paid)──▶ cancelled ◀──cancel (nothing paid)── overdue
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import pgettext_lazy


class InvoiceStatus(models.TextChoices):
    # Labels are lazy: each page, JSON state and notification renders them in its reader's
    # language when it is shown (rows store the status, never its label). The context keeps
    # them apart from other apps' "Cancelled" (Spanish agrees them with "factura").
    ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
    PARTIALLY_PAID = "partially_paid", pgettext_lazy("invoice status", "Partially paid")
    PAID = "paid", pgettext_lazy("invoice status", "Paid")
    OVERDUE = "overdue", pgettext_lazy("invoice status", "Overdue")
    CANCELLED = "cancelled", pgettext_lazy("invoice status", "Cancelled")


# Invoices that still ask the student for money (they can be paid).
OPEN_STATUSES: tuple[InvoiceStatus, ...] = (
    InvoiceStatus.ISSUED,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.OVERDUE,
)
# Open invoices that are not late yet: the daily run reminds their students before the due date.
NOT_YET_DUE_STATUSES: tuple[InvoiceStatus, ...] = (
    InvoiceStatus.ISSUED,
    InvoiceStatus.PARTIALLY_PAID,
)

# Every allowed move (from → to). Staying in the same status is not a move.
TRANSITIONS: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.ISSUED: frozenset(
        {
            InvoiceStatus.PARTIALLY_PAID,
            InvoiceStatus.PAID,
            InvoiceStatus.OVERDUE,
            InvoiceStatus.CANCELLED,
        }
    ),
    InvoiceStatus.PARTIALLY_PAID: frozenset({InvoiceStatus.PAID, InvoiceStatus.OVERDUE}),
    InvoiceStatus.OVERDUE: frozenset({InvoiceStatus.PAID, InvoiceStatus.CANCELLED}),
    InvoiceStatus.PAID: frozenset(),
    InvoiceStatus.CANCELLED: frozenset(),
}


def status_label(status: str) -> str:
    """The status as the reader calls it, in the active language ("Overdue", "Vencida")."""
    return str(InvoiceStatus(status).label)


def can_move(*, status: str, to: str) -> bool:
    return InvoiceStatus(to) in TRANSITIONS[InvoiceStatus(status)]


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def can_cancel(*, status: str, amount_paid: Decimal) -> bool:
    """Only an invoice nothing was paid on can be cancelled (and only once)."""
    return can_move(status=status, to=InvoiceStatus.CANCELLED) and amount_paid == 0


def status_after_payment(*, status: str, balance: Decimal) -> InvoiceStatus:
    """Where a payment leaves an open invoice: paid when nothing is left, otherwise partially
    paid, except that a partial payment does not make an overdue invoice any less late."""
    if balance == 0:
        return InvoiceStatus.PAID
    if status == InvoiceStatus.OVERDUE:
        return InvoiceStatus.OVERDUE
    return InvoiceStatus.PARTIALLY_PAID
