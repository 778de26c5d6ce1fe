"""Amounts are Decimal with two places, always shown with the tenant's currency code."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

CENT = Decimal("0.01")


def money_text(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


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
