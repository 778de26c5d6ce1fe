"""The school's CSV exports as tables: a header (in the reader's language) and rows of plain
values that config.csv_export writes. Each reads in a fixed number of queries, however many
rows; the numbers are the ones the pages show (the gradebook's averages are the server's,
school.grading, never recomputed here)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from config.csv_export import Cell
from school import selectors
from school.models import Course, Payment

Table = tuple[list[Any], list[Sequence[Cell]]]


def gradebook_table(*, course: Course) -> Table:
    """A row per enrolled student, a column per assessment (the score, empty when there is
    none; drafts included, as the gradebook shows them), then the course average (a percentage)."""
    assessments, rows = selectors.gradebook(course=course)
    header: list[Any] = [_("Student"), _("E-mail")]
    header += [a.title for a in assessments]
    header.append(_("Average (incl. drafts)"))
    table: list[Sequence[Cell]] = []
    for row in rows:
        scores: list[Cell] = [
            c.grade.score.normalize() if c.grade is not None else None for c in row.cells
        ]
        table.append([row.student.display_name, row.student.email, *scores, row.average])
    return header, table


def invoices_table(
    *,
    status: str = "",
    student_id: int | None = None,
    search: str = "",
    due_from: date | None = None,
    due_to: date | None = None,
) -> Table:
    """The invoices list's rows (its filters, its order), every page of them."""
    invoices = selectors.invoice_list(
        status=status, student_id=student_id, search=search, due_from=due_from, due_to=due_to
    )
    header: list[Any] = [
        _("Number"),
        _("Student"),
        _("E-mail"),
        _("For"),
        _("Amount"),
        _("Paid"),
        _("Balance"),
        _("Currency"),
        _("Issued"),
        _("Due"),
        _("Status"),
    ]
    rows: list[Sequence[Cell]] = [
        [
            i.number,
            i.student.display_name,
            i.student.email,
            i.description,
            i.amount,
            i.amount_paid,
            i.balance,
            i.currency,
            i.issued_on,
            i.due_on,
            i.get_status_display(),
        ]
        for i in invoices
    ]
    return header, rows


def payment_list() -> QuerySet[Payment]:
    """Every payment, newest first (the feed shows the latest of these)."""
    return Payment.objects.select_related("invoice__student").order_by("-received_at", "-id")


def payments_table() -> Table:
    header: list[Any] = [
        _("Receipt"),
        _("When"),
        _("Student"),
        _("E-mail"),
        _("Invoice"),
        _("Method"),
        _("Reference"),
        _("Amount"),
        _("Currency"),
    ]
    rows: list[Sequence[Cell]] = [
        [
            p.receipt_number,
            p.received_at,
            p.invoice.student.display_name,
            p.invoice.student.email,
            p.invoice.number,
            p.get_method_display(),
            p.reference,
            p.amount,
            p.invoice.currency,
        ]
        for p in payment_list()
    ]
    return header, rows
