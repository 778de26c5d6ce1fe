"""CSV downloads (the gradebook, invoices, payments, the people list), written one way.

What a file holds, for whoever opens it in a spreadsheet or reads it with a program:

* UTF-8 with a byte-order mark, so Excel shows "Núñez" rather than mojibake; comma-separated,
  rows ended by CRLF (RFC 4180), every cell a string.
* The header row in the reader's language (the request's); labels a person reads (a role, a
  status, a payment method) are written as the page shows them.
* Dates as ISO 8601 (`2026-12-03`), moments as ISO 8601 in the tenant's time zone with its
  offset (`2026-12-03T09:15:00-06:00`), amounts and scores as plain decimals with a dot and no
  thousands separator or currency sign (`1500.50`; the currency has its own column), an empty
  cell for "none". Numbers are never localised: `1.500,50` would be a different number.
* Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
  carriage return: OWASP's "CSV injection") gets a leading apostrophe, so a student named
  `=HYPERLINK(...)` stays text. Only text cells are guarded: numbers and dates we format
  ourselves stay machine-readable.
* The file name: `<tenant slug>-<what>-<date>.csv`, ASCII only.

Every row is read and formatted in the view (so the queries are few and fixed, run inside the
tenant's schema and the request's language); the response then streams the encoded rows in
chunks. Under Daphne a synchronous iterator would be gathered whole by Django with a warning,
so an ASGI request gets an asynchronous one over the same chunks.
"""

import csv
import io
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from tenants import clock

BOM = "\ufeff"
# The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows per chunk of the response.
CHUNK_ROWS = 200

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")

Cell = str | int | Decimal | date | datetime | None


def cell_text(value: Cell) -> str:
    """One cell as the module docstring says."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return (clock.local(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_filename(*, slug: str, what: str, on: date) -> str:
    """`alpha-invoices-2026-12-03.csv`: safe in a Content-Disposition header and on any disk."""
    stem = _UNSAFE_NAME.sub("-", f"{slug}-{what}").strip("-.") or "export"
    return f"{stem}-{on.isoformat()}.csv"


def _chunks(lines: list[list[str]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    for start in range(0, len(lines), CHUNK_ROWS):
        writer.writerows(lines[start : start + CHUNK_ROWS])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


async def _async_chunks(lines: list[list[str]]) -> AsyncIterator[bytes]:
    for chunk in _chunks(lines):
        yield chunk


def csv_response(
    request: HttpRequest,
    *,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
) -> StreamingHttpResponse:
    """A CSV download of `header` then `rows` (header labels may be lazy translations)."""
    lines = [[cell_text(str(label)) for label in header]]
    lines += [[cell_text(value) for value in row] for row in rows]
    content = _async_chunks(lines) if isinstance(request, ASGIRequest) else _chunks(lines)
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
