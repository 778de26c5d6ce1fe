"""The one place views read numbers, dates and amounts from a request.

Python half-reads hostile text: an Arabic-Indic one passes `int()` as 1 and a superscript two
passes `str.isdigit()` but makes `int()` raise, `Decimal("1e999999")` is a number no column
holds, and a date at the edge of the calendar overflows as soon as a page adds a day to it.
These fields accept only what a person types into our pages (ASCII digits, plain decimals or
decimals written as the page's language writes them, dates in a sane range) and turn
everything else into a form error; `bad_input` answers 400 for a query string a page cannot
read, so no view calls `int()`, `Decimal()` or `fromisoformat()` on raw input.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from config.errors import bad_request
from tenants.clock import parse_local

# PostgreSQL's bigint: ids (BigAutoField) and seqs never go beyond it.
BIGINT_MAX = 2**63 - 1
# No school or clinic date lies outside these; the margin to date.min/date.max leaves room for
# every step a page takes from a date (a day, a week) and for time-zone conversion.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)

_INTEGER = re.compile(r"[+-]?[0-9]{1,19}", re.ASCII)
# Plain decimals only: no exponent, no NaN/Infinity, no Unicode digits, no thousands separators.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
# Thousands separators that people type for the ones a language writes (no-break spaces).
_TYPED_SPACES = {"\xa0": " ", "\u202f": " "}
# Longer text is never a date (ISO datetimes with an offset and microseconds are 32 characters).
_DATE_TEXT_MAX = 40


class IntegerInputField(forms.IntegerField):
    """An integer in ASCII digits that fits a bigint (min_value 0 unless given)."""

    def __init__(self, *, min_value: int = 0, max_value: int = BIGINT_MAX, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _INTEGER.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class IdField(IntegerInputField):
    """A row id: a positive bigint."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, **kwargs)


class ModelIdChoiceField(forms.ModelChoiceField):
    """A row picked by id: the id is read like IdField first (ModelChoiceField alone would take
    an Arabic-Indic digit for the row with that id)."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            IdField().clean(value)
        except ValidationError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None
        return super().to_python(value)


def delocalize_decimal(text: str) -> str:
    """`text` as the active language writes a number ("1,500.50" in English and Mexican
    Spanish; "1.500,50" where the comma is the decimal separator) turned into a plain decimal
    ("1500.50"); anything else comes back as it was. Thousands separators count only in
    whole groups of three ("1,50" is not fifteen hundred), and digits are ASCII only."""
    decimal = str(get_format("DECIMAL_SEPARATOR"))
    thousand = str(get_format("THOUSAND_SEPARATOR"))
    grouped = get_format("NUMBER_GROUPING") == 3 and thousand not in ("", decimal)
    separators = {thousand, _TYPED_SPACES.get(thousand, thousand)} if grouped else set()
    whole, _point, fraction = text.partition(decimal)
    if _point and fraction and not fraction.isdigit():
        return text
    for separator in separators:
        groups = whole.lstrip("+-").split(separator)
        if len(groups) > 1:
            first, *rest = groups
            if not (1 <= len(first) <= 3 and all(len(g) == 3 for g in rest)):
                return text
            whole = whole.replace(separator, "")
    return f"{whole}.{fraction}" if _point else whole


class DecimalInputField(forms.DecimalField):
    """A decimal ("12", "12.5", "1,500.50" as the page's language writes it; optionally "12,5"
    with decimal_comma) that fits a column of `max_digits`/`decimal_places`: never exponent
    notation, NaN or Infinity. The one field for numbers people type: forms parse them in the
    reader's language (the browsers' number inputs send plain decimals, also accepted)."""

    default_error_messages = {
        "invalid": _("Give a number such as 12.50."),
        "max_digits": _("Give at most %(max)s digits in total."),
        "max_decimal_places": _("Give at most %(max)s decimal places."),
        "max_whole_digits": _("Give at most %(max)s digits before the decimal point."),
    }

    def __init__(
        self, *, max_digits: int, decimal_places: int, decimal_comma: bool = False, **kwargs: Any
    ) -> None:
        self.decimal_comma = decimal_comma
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            text = format(value, "f") if value.is_finite() else "x"
        else:
            text = str(value).strip()
        # The digit count is checked by the validators; this bound only keeps Decimal() cheap.
        if len(text) > 64:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if self.decimal_comma:
            text = text.replace(",", ".")
        elif not _DECIMAL.fullmatch(text):
            text = delocalize_decimal(text)
        if not _DECIMAL.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def _check_date_range(day: date) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("Give a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


class DateInputField(forms.DateField):
    """An ISO date (YYYY-MM-DD, ASCII) between EARLIEST_DATE and LATEST_DATE."""

    default_error_messages = {"invalid": _("Give a date as YYYY-MM-DD.")}

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            day = value
        else:
            text = str(value).strip()
            if len(text) > _DATE_TEXT_MAX or not text.isascii():
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        _check_date_range(day)
        return day


class LocalDateTimeField(forms.Field):
    """An ISO datetime (ASCII) between EARLIEST_DATE and LATEST_DATE; a naive value is the
    tenant's wall time (tenants.clock.parse_local), an aware one is kept."""

    default_error_messages = {"invalid": _("Give a date and time as YYYY-MM-DDTHH:MM.")}

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            text = str(value).strip()
            if len(text) > _DATE_TEXT_MAX or not text.isascii():
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            try:
                moment = parse_local(text)
            except (ValueError, OverflowError):
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        _check_date_range(moment.date())
        return moment


def input_problems(form: forms.Form) -> list[str]:
    """A form's errors as sentences naming the parameter (for a 400 page or JSON)."""
    problems = []
    for field, errors in form.errors.items():
        text = " ".join(str(e) for e in errors)
        problems.append(text if field == NON_FIELD_ERRORS else f"{field}: {text}")
    return problems


def bad_input(request: HttpRequest, form: forms.Form) -> HttpResponse:
    """The 400 page for a query string a page cannot read: no guess, no 500, and no traceback
    in the log (raising BadRequest would log one). Django's own 400 shows the same page."""
    return bad_request(request, problems=input_problems(form))


def bad_input_json(form: forms.Form) -> JsonResponse:
    """bad_input for the JSON endpoints the pages' scripts read."""
    return JsonResponse({"error": "bad_input", "problems": input_problems(form)}, status=400)
