"""`{% load aviso_format %}`: amounts and figures in the page's language.

    {{ invoice.balance|money:invoice.currency }}   → "$1,500.50 MXN"
    {{ count|number }}                             → "1,234"
    {{ average|number:1 }}                         → "17.5"

Dates and times need no tag: `|date:"SHORT_DATE_FORMAT"`, `|date:"SHORT_DATETIME_FORMAT"`,
`|time:"TIME_FORMAT"` (config/formats)."""

from decimal import Decimal, InvalidOperation

from django import template

from accounts.formatting import money_text, number_text

register = template.Library()


@register.filter
def money(amount: Decimal | int | float | str | None, currency: str) -> str:
    """An amount with its currency, as the page's language writes it; "" for none."""
    if amount is None or amount == "":
        return ""
    try:
        return money_text(amount, currency)
    except (InvalidOperation, ValueError):
        return str(amount)


@register.filter
def number(value: Decimal | int | float | str | None, decimal_places: int | None = None) -> str:
    """A figure grouped as the page's language groups it; "" for none."""
    if value is None or value == "":
        return ""
    return number_text(value, decimal_places)
