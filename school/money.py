"""Amounts are Decimal with two places, always shown with the tenant's currency code.

How a typed amount is read is decided here, once (`amount_parse`), for every form that takes
one (fees, issuing an invoice, recording a payment: school.forms.AmountField):

* In the page's language (Django's active one, whose separators are config/formats): English
  and Mexican Spanish both write "1,500.50", so both read "1500.50", "1,500.50", "1500" and
  "1,500"; a grouping separator counts only between whole groups of three ("1,50" and
  "15,00.50" are refused, never read as 150 or 1500.50).
* Spanish readers also type a decimal comma ("1500,50" — Spain and most of Latin America
  write it so). Mexican Spanish reads it as 1500.50 only where it cannot be a thousands
  separator: a single comma with one or two digits after it and no point. English refuses
  it (an English reader's "1500,50" is a typo, not an amount).
* Anything else is refused with a message saying how to write it, never guessed: letters,
  signs, a second decimal separator ("1.500,50,3"), more than two decimals ("1.500" is not
  fifteen hundred), zero or less.
* Without a language (services called by code: the demo, tests) only the plain form is read:
  "1500.50".
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import formats, translation
from django.utils.translation import gettext

# How amounts read is the product's one rule (in the reader's language): "$1,500.50 MXN".
from accounts.formatting import money_text

__all__ = ["CENT", "amount_parse", "clean_amount", "money_text"]

CENT = Decimal("0.01")

# Languages (their base: "es" covers "es-mx") whose readers also type a lone decimal comma.
_TYPED_DECIMAL_COMMA = frozenset({"es"})
# Longer text is never an amount (the money columns hold 12 digits).
_AMOUNT_TEXT_MAX = 40
# The money columns: 12 digits, 2 of them decimals.
WHOLE_DIGITS_MAX = 10
_PLAIN = re.compile(r"(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]*))?", re.ASCII)


def _not_an_amount(raw: Decimal | str) -> str:
    return gettext("%(value)s is not an amount.") % {"value": raw}


def _too_long() -> ValidationError:
    return ValidationError(
        gettext("Give at most %(max)s digits before the decimal point.")
        % {"max": WHOLE_DIGITS_MAX},
        code="max_whole_digits",
    )


def _typed_decimal_comma(language: str) -> bool:
    base = language.lower().split("-")[0].split("_")[0]
    decimal = formats.get_format("DECIMAL_SEPARATOR", lang=language)
    return base in _TYPED_DECIMAL_COMMA and decimal != ","


def _unreadable(text: str, *, language: str) -> ValidationError:
    with translation.override(language):
        values = {
            "value": text,
            "example": formats.number_format(Decimal("1500.50"), 2, force_grouping=True),
        }
        if _typed_decimal_comma(language):
            message = gettext("%(value)s is not an amount: write it as %(example)s or 1500,50.")
        else:
            message = gettext("%(value)s is not an amount: write it as %(example)s.")
    return ValidationError(message % values, code="invalid")


def _patterns(language: str) -> list[re.Pattern[str]]:
    """The shapes `language` writes an amount in, each with the groups `whole` (its grouping
    separators still in) and `fraction`."""
    decimal = re.escape(str(formats.get_format("DECIMAL_SEPARATOR", lang=language)))
    thousand = re.escape(str(formats.get_format("THOUSAND_SEPARATOR", lang=language)))
    shapes = [
        rf"(?P<whole>[0-9]+)(?:{decimal}(?P<fraction>[0-9]*))?",
        rf"(?P<whole>[0-9]{{1,3}}(?:{thousand}[0-9]{{3}})+)(?:{decimal}(?P<fraction>[0-9]*))?",
        rf"{decimal}(?P<fraction>[0-9]+)",
    ]
    if _typed_decimal_comma(language):
        shapes.append(r"(?P<whole>[0-9]+),(?P<fraction>[0-9]{1,2})")
    return [re.compile(shape, re.ASCII) for shape in shapes]


def amount_parse(text: str, *, language: str | None) -> Decimal:
    """`text` as a reader of `language` types an amount (None: the plain "1500.50" only),
    read as a positive Decimal with two places; ValidationError with the reason otherwise
    (the module's docstring says what is read)."""
    typed = str(text).strip()
    if typed.startswith("-") and len(typed) > 1:
        raise ValidationError(gettext("The amount must be above zero."), code="min_value")
    if len(typed) > _AMOUNT_TEXT_MAX:
        raise ValidationError(_not_an_amount(typed[:_AMOUNT_TEXT_MAX] + "…"), code="invalid")
    patterns = [_PLAIN] if language is None else _patterns(language)
    match = next((m for p in patterns if (m := p.fullmatch(typed))), None)
    if match is None:
        if language is None:
            raise ValidationError(_not_an_amount(typed), code="invalid")
        raise _unreadable(typed, language=language)
    whole = re.sub(r"[^0-9]", "", match.groupdict().get("whole") or "").lstrip("0") or "0"
    fraction = match.group("fraction") or ""
    if len(fraction) > 2:
        raise ValidationError(gettext("Amounts have at most two decimals."), code="decimals")
    if len(whole) > WHOLE_DIGITS_MAX:
        raise _too_long()
    try:
        # Exactly two places, written out: no rounding, no context precision involved.
        amount = Decimal(f"{whole}.{fraction.ljust(2, '0')}")
    except InvalidOperation:  # pragma: no cover - the patterns admit ASCII digits only
        raise ValidationError(_not_an_amount(typed), code="invalid") from None
    if amount <= 0:
        raise ValidationError(gettext("The amount must be above zero."), code="min_value")
    return amount


def clean_amount(raw: Decimal | str, *, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimals (what a cashier can actually receive).
    Text is read in the plain form only ("1500.50"): forms read what people type in their
    language (amount_parse) and hand over a Decimal."""
    if not isinstance(raw, Decimal):
        try:
            return amount_parse(str(raw), language=None)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
    if not raw.is_finite():
        raise ValidationError({field: _not_an_amount(raw)})
    if raw <= 0:
        raise ValidationError({field: gettext("The amount must be above zero.")})
    if raw.adjusted() >= WHOLE_DIGITS_MAX:
        raise ValidationError({field: _too_long().messages})
    if raw != raw.quantize(CENT):
        raise ValidationError({field: gettext("Amounts have at most two decimals.")})
    return raw.quantize(CENT)
