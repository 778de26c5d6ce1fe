"""Dates, times, figures and amounts as each language writes them: one date, one date-time and
one time format per language (config/formats), |money and |number ({% load aviso_format %}),
numbers typed into forms read in the reader's language, and the browser's
static/aviso/format.js writing exactly what the server writes."""

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from accounts.formatting import money_text
from config.forms import DecimalInputField
from tests.e2e.browser import CHROMIUM, chromium

MOMENT = datetime(2026, 12, 31, 20, 30, tzinfo=UTC)  # 14:30 in Mexico City
PAGE = """{% load aviso_format %}{{ day|date:"SHORT_DATE_FORMAT" }}|{{ moment|date:"SHORT_DATETIME_FORMAT" }}|{{ moment|time:"TIME_FORMAT" }}|{{ day }}|{{ moment }}|{{ amount|money:"MXN" }}|{{ amount|money:"USD" }}|{{ big|number }}|{{ avg|number:1 }}|{{ id }}"""  # noqa: E501
CONTEXT = {
    "day": date(2026, 12, 31),
    "moment": MOMENT,
    "amount": Decimal("1500.5"),
    "big": 1234567,
    "avg": Decimal("17.25"),
    "id": 12345,
}
EXPECTED = {
    "en": "Dec 31, 2026|Dec 31, 2026 2:30 PM|2:30 PM|Dec 31, 2026|Dec 31, 2026 2:30 PM"
    "|$1,500.50 MXN|$1,500.50 USD|1,234,567|17.3|12345",
    "es-mx": "31/12/2026|31/12/2026 14:30|14:30|31/12/2026|31/12/2026 14:30"
    "|$1,500.50 MXN|$1,500.50 USD|1,234,567|17.3|12345",
}


def _render(language: str) -> str:
    with translation.override(language), timezone.override("America/Mexico_City"):
        return Template(PAGE).render(Context(CONTEXT))


@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_each_language_writes_one_date_time_and_amount_format(language: str) -> None:
    # then a date reads the same with or without a format name, times are the tenant's, ids
    # stay plain (they go into links and scripts), and figures people read are grouped
    assert _render(language) == EXPECTED[language]


def test_money_rounds_half_up_to_the_currencys_own_decimals() -> None:
    with translation.override("es-mx"):
        assert money_text(Decimal("0.125"), "MXN") == "$0.13 MXN"
        assert money_text(Decimal("-1234.5"), "MXN") == "-$1,234.50 MXN"
        assert money_text(Decimal("1500.5"), "JPY") == "¥1,501 JPY"
        assert money_text(Decimal("7"), "EUR") == "€7.00 EUR"
        assert money_text(Decimal("7"), "CHF") == "7.00 CHF"  # a sign that is all letters
    # the old school filter is the same one
    school = Template('{% load school_tags %}{{ a|money:"MXN" }}').render(
        Context({"a": Decimal("1500.5")})
    )
    assert school == "$1,500.50 MXN"


@pytest.mark.parametrize("language", ["en", "es-mx"])
@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1500.50", "1500.50"),
        ("1,500.50", "1500.50"),
        ("1,234,567", "1234567"),
        (" 12 ", "12"),
        ("-1,500", "-1500"),
        ("12.", "12"),
    ],
)
def test_a_form_reads_numbers_as_the_readers_language_writes_them(
    language: str, typed: str, read: str
) -> None:
    field = DecimalInputField(max_digits=12, decimal_places=2)
    with translation.override(language):
        assert field.clean(typed) == Decimal(read)


@pytest.mark.parametrize("typed", ["1,50", "1,5000.00", ",500", "1.500,50", "1e3", "١٢", "1,,500"])
def test_a_form_refuses_what_no_language_of_ours_writes(typed: str) -> None:
    field = DecimalInputField(max_digits=12, decimal_places=2)
    for language in ("en", "es-mx"):
        with translation.override(language), pytest.raises(Exception) as refused:
            field.clean(typed)
        assert refused.type.__name__ == "ValidationError"


def test_a_refused_number_is_explained_in_the_readers_language() -> None:
    field = DecimalInputField(max_digits=4, decimal_places=2)
    with translation.override("es-mx"):
        form_errors: list[str] = []
        for typed in ("doce", "123456", "1.234"):
            try:
                field.clean(typed)
            except Exception as exc:
                form_errors.extend(exc.messages)  # type: ignore[attr-defined]
    assert form_errors == [
        "Escribe un número, por ejemplo 12.50.",
        "Escribe como máximo 4 dígitos en total.",
        "Escribe como máximo 2 decimales.",
    ]


# --- the browser writes what the server writes ------------------------------------------------

BROWSER_PAGE = """<!doctype html><html lang="{lang}" data-time-zone="America/Mexico_City">
<head><script>{script}</script></head><body></body></html>"""
BROWSER_CHECK = """() => {
  const f = window.aviso.format;
  return [f.date("2026-12-31"), f.dateTime("2026-12-31T20:30:00Z"), f.time("2026-12-31T20:30:00Z"),
          f.date("2026-12-31T20:30:00+00:00"), f.dateTime("2026-12-31T20:30:00Z"),
          f.money("1500.5", "MXN"), f.money(1500.5, "USD"), f.number(1234567),
          f.number(17.25, {maximumFractionDigits: 1}), "12345"].join("|");
}"""


@pytest.mark.slow
def test_the_browser_writes_dates_times_and_amounts_as_the_server_does() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from django.conf import settings

    script = (settings.BASE_DIR / "static" / "aviso" / "format.js").read_text()
    written: dict[str, Any] = {}
    with chromium() as browser:
        page = browser.new_page()
        for language, lang in (("en", "en"), ("es-mx", "es-MX")):
            page.set_content(BROWSER_PAGE.format(lang=lang, script=script))
            written[language] = page.evaluate(BROWSER_CHECK)
            # and what is not a date or a number comes back as it was
            odd = page.evaluate(
                '() => [aviso.format.date("soon"), aviso.format.money("", "MXN"),'
                ' aviso.format.money("12", "??"), aviso.format.time(null)]'
            )
            assert odd == ["soon", "", "12.00 ??", ""], json.dumps(odd)
        page.close()
    assert written == EXPECTED


def test_the_formats_hold_no_literal_format_in_the_checked_templates() -> None:
    # (the translation scan refuses |date:"Y-m-d" and the like: formats are named)
    from tests.config.translation_scan import template_findings

    assert (
        template_findings('{{ d|date:"SHORT_DATE_FORMAT" }}{{ t|time:"TIME_FORMAT" }}', "t") == []
    )
    assert [f.text for f in template_findings('{{ d|date:"d M Y" }}', "t")] == [
        'literal format |date:"d M Y"'
    ]


def test_a_time_alone_reads_in_each_language() -> None:
    with translation.override("es-mx"):
        assert Template('{{ t|time:"TIME_FORMAT" }}').render(Context({"t": time(9, 5)})) == "09:05"
    with translation.override("en"):
        assert (
            Template('{{ t|time:"TIME_FORMAT" }}').render(Context({"t": time(9, 5)})) == "9:05 AM"
        )
