"""The invoice life cycle as data (school/states.py): the services' moves are the table's."""

from decimal import Decimal

import pytest

from school import states
from school.models import Invoice
from school.states import OPEN_STATUSES, TRANSITIONS, InvoiceStatus


def test_every_status_has_its_moves_and_terminal_ones_have_none() -> None:
    assert set(TRANSITIONS) == set(InvoiceStatus)
    assert TRANSITIONS[InvoiceStatus.PAID] == TRANSITIONS[InvoiceStatus.CANCELLED] == frozenset()
    # an open status is one that can still be paid in full
    assert {s for s in InvoiceStatus if InvoiceStatus.PAID in TRANSITIONS[s]} == set(OPEN_STATUSES)
    assert set(states.NOT_YET_DUE_STATUSES) == set(OPEN_STATUSES) - {InvoiceStatus.OVERDUE}


@pytest.mark.parametrize("status", OPEN_STATUSES)
@pytest.mark.parametrize("balance", [Decimal("0"), Decimal("10")])
def test_a_payment_moves_an_open_invoice_along_the_table(
    status: InvoiceStatus, balance: Decimal
) -> None:
    after = states.status_after_payment(status=status, balance=balance)
    assert after == status or states.can_move(status=status, to=after)
    if balance == 0:
        assert after == InvoiceStatus.PAID
    elif status == InvoiceStatus.OVERDUE:
        assert after == InvoiceStatus.OVERDUE  # paying part of it does not make it less late
    else:
        assert after == InvoiceStatus.PARTIALLY_PAID


def test_only_an_open_invoice_nothing_was_paid_on_can_be_cancelled() -> None:
    cancellable = {
        s for s in InvoiceStatus if states.can_cancel(status=s, amount_paid=Decimal("0"))
    }
    assert cancellable == {InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE}
    assert not states.can_cancel(status=InvoiceStatus.ISSUED, amount_paid=Decimal("0.01"))
    # the model and the invoice page ask the same question
    invoice = Invoice(status=InvoiceStatus.OVERDUE, amount_paid=Decimal("0"))
    assert invoice.is_open and invoice.can_cancel
    assert not Invoice(status=InvoiceStatus.PAID, amount_paid=Decimal("5")).is_open
