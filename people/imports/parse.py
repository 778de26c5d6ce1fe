"""Reading a people CSV as spreadsheets write it: UTF-8 with or without a byte-order mark
(Excel's "CSV UTF-8"), Windows-1252 (Excel's plain "CSV"), UTF-16 ("Unicode text"); commas,
semicolons (Excel where the decimal mark is a comma) or tabs. Header names are matched without
regard to case, spaces or accents' absence. Only the file's shape is checked here: whether each
row makes sense is people.imports.selectors.import_preview's question."""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Beyond these a file is refused before any row is read (1,000 rows are about 80 KB).
MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000

# The columns of each kind's file, in the template's order; the first three are required.
REQUIRED = ("role", "full_name", "email")
COLUMNS: dict[str, tuple[str, ...]] = {
    "school": (*REQUIRED, "enrolment_number", "group", "children", "language"),
    "clinic": (*REQUIRED, "language"),
}
# Other names people give the same columns.
ALIASES = {
    "name": "full_name",
    "e_mail": "email",
    "mail": "email",
    "enrollment_number": "enrolment_number",
    "children_emails": "children",
    "class": "group",
}
DELIMITERS = (",", ";", "\t")


class ParseError(ValueError):
    """The file cannot be read as a people CSV; the message says why, to the person."""


@dataclass(frozen=True)
class CsvRow:
    number: int  # as the spreadsheet numbers it: the header is row 1
    values: dict[str, str]  # column name -> the cell, stripped ("" when absent)


@dataclass(frozen=True)
class CsvFile:
    columns: tuple[str, ...]
    rows: list[CsvRow]


def decode(data: bytes) -> str:
    """The file's text; ParseError for what is not a text file."""
    if not data.strip():
        raise ParseError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ParseError(
            _("The file is larger than %(size)s KB: split it into several files.")
            % {"size": MAX_BYTES // 1024}
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ParseError(
            _("This is a spreadsheet workbook, not a CSV file: save it as “CSV UTF-8” first.")
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ParseError(_("This is not a CSV file.")) from None
    if b"\x00" in data:
        raise ParseError(_("This is not a CSV file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ParseError(_("This is not a CSV file.")) from None


def _column_name(header: str) -> str:
    name = "_".join(header.strip().strip("\ufeff").lower().replace("-", "_").split())
    return ALIASES.get(name, name)


def _delimiter(first_line: str) -> str:
    # The header names contain none of these, so the most frequent one separates them.
    return max(DELIMITERS, key=first_line.count)


def parse(text: str, *, kind: str) -> CsvFile:
    """The rows of `text`, a CSV of people of a tenant of `kind`; ParseError if its shape is
    wrong (no header, missing or unknown columns, too many rows)."""
    known = COLUMNS[kind]
    lines = text.lstrip("\ufeff").splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise ParseError(_("The file is empty."))
    reader = csv.reader(
        io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=_delimiter(first), strict=True
    )
    try:
        header = next(row for row in reader if any(cell.strip() for cell in row))
        columns = [_column_name(cell) for cell in header]
        missing = [name for name in REQUIRED if name not in columns]
        unknown = [h.strip() for h, c in zip(header, columns, strict=True) if c and c not in known]
        if missing or unknown:
            raise ParseError(_columns_problem(missing=missing, unknown=unknown, known=known))
        seen = [c for c in columns if c]
        if len(seen) != len(set(seen)):
            raise ParseError(_("A column appears twice in the first row."))
        rows: list[CsvRow] = []
        number = 1
        for cells in reader:
            number += 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise ParseError(
                    _("The file has more than %(rows)s rows: split it into several files.")
                    % {"rows": f"{MAX_ROWS:,}"}
                )
            values = dict.fromkeys(known, "")
            for column, cell in zip(columns, cells, strict=False):
                if column:
                    values[column] = cell.strip()
            rows.append(CsvRow(number=number, values=values))
    except csv.Error as exc:
        raise ParseError(
            _("This is not a CSV file we can read (%(problem)s).") % {"problem": exc}
        ) from None
    if not rows:
        raise ParseError(_("The file has a header row but no people."))
    return CsvFile(columns=known, rows=rows)


def _columns_problem(*, missing: list[str], unknown: list[str], known: tuple[str, ...]) -> str:
    parts = []
    if missing:
        parts.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        parts.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    parts.append(
        _("The first row must name the columns: %(columns)s.") % {"columns": ", ".join(known)}
    )
    return " ".join(parts)


def template_csv(*, kind: str, examples: list[list[str]]) -> str:
    """The downloadable template: the header row, then `examples`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS[kind])
    writer.writerows(examples)
    return "\ufeff" + out.getvalue()
