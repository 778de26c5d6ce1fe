"""Amounts and figures as the reader's language writes them (the active language).

Money is "<sign><amount> <code>": "$1,500.50 MXN", "$1,500.50 USD", "€1,500.50 EUR" in English
and in Mexican Spanish alike (Mexico writes pesos so, with the code saying which dollar), with
the currency's own number of decimals (JPY none) and the sign where the language puts it.
The data (currency digits, symbols, each language's currency pattern) is CLDR's, through
babel; static/aviso/format.js writes the same text in the browser with Intl (same CLDR).
Plain figures use the language's format module (config/formats) through Django.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    UnknownCurrencyError,
    format_currency,
    get_currency_precision,
    get_currency_symbol,
)
from django.conf import settings
from django.utils import formats, translation

# Money columns hold two decimals; an amount is rounded half up to its currency's decimals.
Amount = Decimal | int | float | str


_SPACES = " \xa0\u202f"


@cache
def _sign(currency: str) -> str:
    """The currency's narrow sign: its symbol without the letters that tell the country
    ("MX$" → "$", "CA$" → "$", "€", "£"); "" when the symbol is all letters ("CHF")."""
    try:
        symbol = get_currency_symbol(currency, locale="en")
    except UnknownCurrencyError:  # pragma: no cover - babel answers unknown codes as themselves
        return ""
    return symbol.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@cache
def _pattern(locale: str, currency: str) -> str:
    """The language's currency pattern with the narrow sign as a literal, then the code."""
    standard = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    sign = _sign(currency)
    # Without a sign, the spaces that separated it from the number go too.
    shown = standard.replace("¤", f"'{sign}'" if sign else "").strip(_SPACES)
    return f"{shown} ¤¤"


def _babel_locale(language: str | None) -> str:
    locale = translation.to_locale(language or translation.get_language() or "en")
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return translation.to_locale(settings.LANGUAGE_CODE)
    return locale


def money_text(amount: Amount, currency: str, *, language: str | None = None) -> str:
    """`amount` of `currency` (an ISO 4217 code) as `language` (default: the active one)
    writes it: "$1,500.50 MXN"."""
    code = (currency or "").upper()
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    locale = _babel_locale(language)
    if len(code) != 3 or not code.isalpha():
        exact = value.quantize(Decimal("0.01"), ROUND_HALF_UP)
        return f"{formats.number_format(exact, 2, force_grouping=True)} {currency}".strip()
    # Half up, as cashiers round (babel would round half to even).
    exact = value.quantize(Decimal(1).scaleb(-get_currency_precision(code)), ROUND_HALF_UP)
    return format_currency(
        exact, code, format=_pattern(locale, code), locale=locale, currency_digits=True
    ).replace("\xa0", " ")


def number_text(value: Amount, decimal_places: int | None = None) -> str:
    """A figure people read ("1,234", "1,234.5"), grouped as the active language groups it
    (pages print ids and counts inside links and scripts plainly: USE_THOUSAND_SEPARATOR is
    off, see config/settings/base.py)."""
    if decimal_places is not None:
        # Rounded half up, as format.js (Intl) does: Django's own formatting would cut.
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        value = exact.quantize(Decimal(1).scaleb(-decimal_places), ROUND_HALF_UP)
    return formats.number_format(value, decimal_places, force_grouping=True)
