from decimal import Decimal

from django import template

from school.money import money_text

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """`{{ invoice.balance|money:invoice.currency }}` → "USD 1,250.00"."""
    return "" if amount is None else money_text(amount, currency)


@register.filter
def score(value: Decimal | None) -> str:
    """A score or average without trailing zeros ("18.5", "90"), or an em dash."""
    if value is None:
        return "—"
    return f"{value.normalize():f}"


@register.filter
def cell_errors(errors: dict[str, list[str]], key: str) -> list[str]:
    return errors.get(key, [])
