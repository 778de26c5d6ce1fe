"""Every notification the school sends, declared once: its parameters (what is stored), who
receives it, and how its title, body and link read — rendered from the parameters alone,
whenever a page, a socket or an e-mail shows it, in the language active then (the reader's):
so every sentence here is translated inside its render function, never at import.

Services build the parameters with the builders at the end of this module and call
`realtime.services.notify(recipients=..., kind=..., params=...)`. The pages' scripts read
some parameters (tests/school/test_notification_catalogue.py keeps them declared)."""

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, NotRequired, TypedDict, TypeVar, cast

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext, ngettext

from accounts.models import User
from realtime.catalogue import NotificationType, register
from realtime.families import ANNOUNCEMENTS, BILLING, GRADES
from school import grading, states
from school.models import Announcement, Course, Grade, Invoice, Payment
from school.money import money_text
from school.payloads import GradeRow, InvoiceRow, grade_row, invoice_row

# --- the child a guardian's copy is about ----------------------------------------------------


class ChildRef(TypedDict):
    """Which of a guardian's children a notification concerns (guardians' copies only: the
    student's own copy has no `child`)."""

    id: int
    name: str


def _naming_child(title: Callable[[Any], str]) -> Callable[[Any], str]:
    """A guardian's copy says whose it is: "Lisa: New grade in Music"."""

    def render(p: Any) -> str:
        if "child" not in p:
            return title(p)
        return gettext("%(child)s: %(title)s") % {"child": p["child"]["name"], "title": title(p)}

    return render


def _childs_page(url_name: str) -> Callable[[Any], str]:
    """The student's page, or for a guardian's copy the same page switched to that child."""

    def render(p: Any) -> str:
        url = reverse(url_name)
        return f"{url}?student={p['child']['id']}" if "child" in p else url

    return render


# --- grades ----------------------------------------------------------------------------------


class GradeParams(TypedDict):
    """Published or corrected grades of one student in one course (at most
    school.services.grades.ROWS_PER_NOTIFICATION rows), with the course's new average."""

    term_id: int
    term: str
    course_id: int
    course: str
    grades: list[GradeRow]
    course_average: str | None
    child: NotRequired[ChildRef]


def _plain(decimal_text: str) -> str:
    """ "17.00" → "17", "12.50" → "12.5": scores as people write them."""
    return f"{Decimal(decimal_text).normalize():f}"


def _grades_listed(p: GradeParams) -> str:
    """ "Quiz 17/20 (8.5)": each score, and in brackets the grade in the school's scale as it
    is when the notification is shown (so a change of scale reaches old notifications too)."""
    scale = grading.school_scale()
    return ", ".join(
        f"{g['assessment']} {_plain(g['score'])}/{_plain(g['max_score'])}"
        f" ({grading.display(g['percent'], scale)})"
        for g in p["grades"]
    )


def _published_title(p: GradeParams) -> str:
    count = len(p["grades"])
    if count == 1:
        return gettext("New grade in %(course)s") % {"course": p["course"]}
    return ngettext(
        "%(count)d new grade in %(course)s",
        "%(count)d new grades in %(course)s",
        count,
    ) % {"count": count, "course": p["course"]}


def _corrected_title(p: GradeParams) -> str:
    count = len(p["grades"])
    if count == 1:
        return gettext("Grade corrected in %(course)s") % {"course": p["course"]}
    return ngettext(
        "%(count)d grade corrected in %(course)s",
        "%(count)d grades corrected in %(course)s",
        count,
    ) % {"count": count, "course": p["course"]}


_my_grades = _childs_page("school:my_grades")


GRADE_PUBLISHED = register(
    NotificationType(
        type="grade.published",
        params=GradeParams,
        audience="the student whose grades were published, and their guardians",
        title=_naming_child(_published_title),
        body=_grades_listed,
        url=_my_grades,
        family=GRADES,
    )
)
GRADE_UPDATED = register(
    NotificationType(
        type="grade.updated",
        params=GradeParams,
        audience="the student whose published grades were corrected, and their guardians",
        title=_naming_child(_corrected_title),
        body=_grades_listed,
        url=_my_grades,
        family=GRADES,
    )
)


# --- teachers --------------------------------------------------------------------------------


class CourseParams(TypedDict):
    """A course a teacher was given to teach."""

    term_id: int
    term: str
    course_id: int
    course: str


COURSE_TEACHER_ASSIGNED = register(
    NotificationType(
        type="course.teacher_assigned",
        params=CourseParams,
        audience="a teacher an administrator newly assigned to a course",
        title=lambda p: gettext("You now teach %(course)s") % {"course": p["course"]},
        body=lambda p: (
            gettext("%(course)s (%(term)s) is in your gradebooks.")
            % {"course": p["course"], "term": p["term"]}
        ),
        url=lambda p: reverse("school:gradebook", args=[p["course_id"]]),
        family=GRADES,
    )
)


# --- invoices and payments -------------------------------------------------------------------


class InvoiceParams(TypedDict):
    """One invoice of the student (its facts; its status label is rendered when shown), and
    what they owe in all."""

    invoice: InvoiceRow
    balance: str
    child: NotRequired[ChildRef]


class PaymentParams(InvoiceParams):
    payment_id: int
    receipt_number: str
    receipt_url: str
    amount: str


class CancelParams(InvoiceParams):
    reason: str  # the administrator's words, shown as written


class DueSoonParams(InvoiceParams):
    due_in_days: int  # as of the day the reminder was sent


def _money(amount: str, invoice: InvoiceRow) -> str:
    return money_text(Decimal(amount), invoice["currency"])


def _due_on(invoice: InvoiceRow) -> str:
    """The due date in the reader's locale: the same date format as their pages."""
    return formats.date_format(date.fromisoformat(invoice["due_on"]), "SHORT_DATE_FORMAT")


def _named(invoice: InvoiceRow) -> str:
    return f"{invoice['number']} {invoice['description']}"


# Rendered when shown: what the student owes in all, as their page writes it, and the
# invoice's status as the reader's language calls it.
INVOICE_LABELS: dict[str, Callable[[InvoiceParams], str]] = {
    "balance_text": lambda p: _money(p["balance"], p["invoice"]),
    "status_label": lambda p: states.status_label(p["invoice"]["status"]),
}


_my_invoices = _childs_page("school:my_invoices")


def _issued_body(p: InvoiceParams) -> str:
    i = p["invoice"]
    return gettext("%(invoice)s: %(amount)s, due %(date)s.") % {
        "invoice": _named(i),
        "amount": _money(i["amount"], i),
        "date": _due_on(i),
    }


def _cancelled_body(p: CancelParams) -> str:
    named = _named(p["invoice"])
    # Rows stored before reasons were asked for have none.
    if not p.get("reason"):
        return gettext("%(invoice)s was cancelled; you owe nothing on it.") % {"invoice": named}
    return gettext("%(invoice)s was cancelled (%(reason)s); you owe nothing on it.") % {
        "invoice": named,
        "reason": p["reason"],
    }


def _overdue_body(p: InvoiceParams) -> str:
    i = p["invoice"]
    return gettext("%(invoice)s was due on %(date)s; %(amount)s is still outstanding.") % {
        "invoice": _named(i),
        "date": _due_on(i),
        "amount": _money(i["balance"], i),
    }


def _due_soon_body(p: DueSoonParams) -> str:
    i, days = p["invoice"], p["due_in_days"]
    values = {"invoice": _named(i), "date": _due_on(i), "amount": _money(i["balance"], i)}
    # Whole sentences per case: "today", "tomorrow" and "in N days" move around in Spanish.
    if days == 0:
        return gettext("%(invoice)s is due today (%(date)s): %(amount)s to pay.") % values
    if days == 1:
        return gettext("%(invoice)s is due tomorrow (%(date)s): %(amount)s to pay.") % values
    return ngettext(
        "%(invoice)s is due in %(days)d day (%(date)s): %(amount)s to pay.",
        "%(invoice)s is due in %(days)d days (%(date)s): %(amount)s to pay.",
        days,
    ) % {**values, "days": days}


def _payment_body(p: PaymentParams) -> str:
    i = p["invoice"]
    return gettext("%(amount)s received for %(invoice)s. Remaining on it: %(balance)s.") % {
        "amount": _money(p["amount"], i),
        "invoice": _named(i),
        "balance": _money(i["balance"], i),
    }


INVOICE_ISSUED = register(
    NotificationType(
        type="invoice.issued",
        params=InvoiceParams,
        audience="the student billed, and their guardians",
        title=_naming_child(lambda p: gettext("New invoice")),
        body=_issued_body,
        url=_my_invoices,
        family=BILLING,
        labels=INVOICE_LABELS,
    )
)
INVOICE_CANCELLED = register(
    NotificationType(
        type="invoice.cancelled",
        params=CancelParams,
        audience="the student of the cancelled invoice, and their guardians",
        title=_naming_child(lambda p: gettext("Invoice cancelled")),
        body=_cancelled_body,
        url=_my_invoices,
        family=BILLING,
        labels=INVOICE_LABELS,
    )
)
INVOICE_OVERDUE = register(
    NotificationType(
        type="invoice.overdue",
        params=InvoiceParams,
        audience=(
            "the student of an invoice the daily run found late, and their guardians"
            " (also by e-mail)"
        ),
        title=_naming_child(lambda p: gettext("Invoice overdue")),
        body=_overdue_body,
        url=_my_invoices,
        family=BILLING,
        email_copy=False,
        labels=INVOICE_LABELS,
    )
)
INVOICE_DUE_SOON = register(
    NotificationType(
        type="invoice.due_soon",
        params=DueSoonParams,
        audience=(
            "the student of an open invoice falling due within days, and their guardians"
            " (also by e-mail)"
        ),
        title=_naming_child(lambda p: gettext("Invoice due soon")),
        body=_due_soon_body,
        url=_my_invoices,
        family=BILLING,
        email_copy=False,
        labels=INVOICE_LABELS,
    )
)
PAYMENT_RECORDED = register(
    NotificationType(
        type="payment.recorded",
        params=PaymentParams,
        audience="the student whose invoice was paid, and their guardians",
        title=_naming_child(lambda p: gettext("Payment received")),
        body=_payment_body,
        url=_my_invoices,
        family=BILLING,
        labels=INVOICE_LABELS,
    )
)


# --- announcements ---------------------------------------------------------------------------


class AnnouncementParams(TypedDict):
    """An announcement an administrator or teacher sent: its title and the start of its text
    as written (the page shows the whole of it)."""

    announcement_id: int
    subject: str  # its title ("title" is the rendered key)
    excerpt: str
    author: str


# How much of an announcement's text its notification carries (toasts, inbox, e-mail).
EXCERPT_CHARS = 300


def _announcement_body(p: AnnouncementParams) -> str:
    return gettext("%(author)s: %(excerpt)s") % {"author": p["author"], "excerpt": p["excerpt"]}


ANNOUNCEMENT_PUBLISHED = register(
    NotificationType(
        type="announcement.published",
        params=AnnouncementParams,
        audience=(
            "everyone an administrator's or teacher's announcement was addressed to: the whole"
            " school, a level, a group or a course, their guardians, or both"
        ),
        title=lambda p: p["subject"],
        body=_announcement_body,
        url=lambda p: reverse("school:announcement", args=[p["announcement_id"]]),
        family=ANNOUNCEMENTS,
    )
)


# --- builders (services call these) ----------------------------------------------------------


def grade_rows_params(
    *, course: Course, grades: list[Grade], average: Decimal | None
) -> GradeParams:
    return {
        "term_id": course.term_id,
        "term": course.term.name,
        "course_id": course.pk,
        "course": course.name,
        "grades": [grade_row(g) for g in grades],
        "course_average": grading.decimal_text(average),
    }


def course_params(*, course: Course) -> CourseParams:
    return {
        "term_id": course.term_id,
        "term": course.term.name,
        "course_id": course.pk,
        "course": course.name,
    }


def invoice_params(*, invoice: Invoice, balance: Decimal) -> InvoiceParams:
    """`balance` is what the student owes over all their open invoices."""
    return {
        "invoice": invoice_row(invoice),
        "balance": str(balance),
    }


def cancel_params(*, invoice: Invoice, balance: Decimal) -> CancelParams:
    return {**invoice_params(invoice=invoice, balance=balance), "reason": invoice.cancel_reason}


def payment_params(*, payment: Payment, balance: Decimal) -> PaymentParams:
    invoice = payment.invoice
    return {
        **invoice_params(invoice=invoice, balance=balance),
        "payment_id": payment.pk,
        "receipt_number": payment.receipt_number,
        "receipt_url": reverse("school:receipt", args=[payment.pk]),
        "amount": str(payment.amount),
    }


def due_soon_params(*, invoice: Invoice, balance: Decimal, today: date) -> DueSoonParams:
    return {
        **invoice_params(invoice=invoice, balance=balance),
        "due_in_days": (invoice.due_on - today).days,
    }


def announcement_params(*, announcement: Announcement) -> AnnouncementParams:
    body = " ".join(announcement.body.split())
    excerpt = body if len(body) <= EXCERPT_CHARS else body[: EXCERPT_CHARS - 1].rstrip() + "…"
    return {
        "announcement_id": announcement.pk,
        "subject": announcement.title,
        "excerpt": excerpt,
        "author": announcement.author.display_name,
    }


P = TypeVar("P", bound=Mapping[str, Any])


def for_guardian(params: P, *, student: User) -> P:
    """The guardians' copy of a student's notification: the same facts, naming the child."""
    child: ChildRef = {"id": student.pk, "name": student.display_name}
    return cast(P, {**params, "child": child})
