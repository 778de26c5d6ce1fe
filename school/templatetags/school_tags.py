from decimal import Decimal

from django import template

# The product's one money filter ({% load aviso_format %}), kept here for school templates.
from accounts.templatetags.aviso_format import money
from school import grading

register = template.Library()
register.filter("money", money)


@register.filter
def score(value: Decimal | None) -> str:
    """A score or average without trailing zeros ("18.5", "90"), or an em dash."""
    if value is None:
        return "—"
    return f"{value.normalize():f}"


@register.filter
def grade(percentage: Decimal | str | None) -> str:
    """A grade or average (a percentage) in the school's scale (school.grading.display)."""
    return grading.display(percentage)


@register.filter
def cell_errors(errors: dict[str, list[str]], key: str) -> list[str]:
    return errors.get(key, [])
