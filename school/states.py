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


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    OVERDUE = "overdue", "Overdue"
    CANCELLED = "cancelled", "Cancelled"


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
