"""Amounts are Decimal with two places, always shown with the tenant's currency code."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

# How amounts read is the product's one rule (in the reader's language): "$1,500.50 MXN".
from accounts.formatting import money_text

__all__ = ["CENT", "clean_amount", "money_text"]

CENT = Decimal("0.01")


def _not_an_amount(raw: Decimal | str) -> str:
    return gettext("%(value)s is not an amount.") % {"value": raw}


def clean_amount(raw: Decimal | str, *, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimals (what a cashier can actually receive)."""
    try:
        amount = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError({field: _not_an_amount(raw)}) from None
    if not amount.is_finite():
        raise ValidationError({field: _not_an_amount(raw)})
    if amount <= 0:
        raise ValidationError({field: gettext("The amount must be above zero.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: gettext("Amounts have at most two decimals.")})
    return amount.quantize(CENT)
