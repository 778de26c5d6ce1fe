"""The daily invoice run of one school: mark late invoices overdue and remind students of
invoices falling due, in the inbox and by e-mail.

It is safe to run any number of times (Celery redelivers with acks_late, beat may double up):
each reminder is recorded in InvoiceReminder (unique per invoice and kind) in the same
transaction as its notification, under a lock on the invoice, so nothing is sent twice."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from realtime.catalogue import NotificationType
from realtime.services import recipient_locale
from school.clock import tenant_today
from school.models import Invoice, InvoiceReminder, ReminderKind
from school.notifications import (
    INVOICE_DUE_SOON,
    INVOICE_OVERDUE,
    due_soon_params,
    for_guardian,
    invoice_params,
)
from school.selectors import student_balance
from school.services.common import notify_family
from school.services.totals import totals_changed
from school.states import NOT_YET_DUE_STATUSES, OPEN_STATUSES, InvoiceStatus
from tenants.selectors import current_tenant, tenant_base_url

# Students hear about an invoice this many days before it falls due.
DUE_SOON_DAYS = 3

P = TypeVar("P", bound=Mapping[str, Any])


@dataclass(frozen=True)
class DailyRun:
    marked_overdue: int
    overdue_sent: int
    due_soon_sent: int


def invoices_daily_run(*, today: date | None = None) -> DailyRun:
    today = today or tenant_today()
    late = Invoice.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).values_list(
        "pk", flat=True
    )
    marked = sent_overdue = 0
    for pk in list(late):
        was_marked, sent = _overdue(invoice_id=pk, today=today)
        marked += was_marked
        sent_overdue += sent
    soon = (
        Invoice.objects.filter(
            status__in=NOT_YET_DUE_STATUSES,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=DUE_SOON_DAYS),
        )
        .exclude(reminders__kind=ReminderKind.DUE_SOON)
        .values_list("pk", flat=True)
    )
    sent_soon = sum(_due_soon(invoice_id=pk, today=today) for pk in list(soon))
    if marked:
        totals_changed()  # the overview's overdue count moved
    return DailyRun(marked_overdue=marked, overdue_sent=sent_overdue, due_soon_sent=sent_soon)


def _overdue(*, invoice_id: int, today: date) -> tuple[bool, bool]:
    """(marked overdue now, reminder sent now) for one invoice, in its own transaction so one
    bad invoice cannot hold back the rest of the school."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("student").get(pk=invoice_id)
        if invoice.status not in OPEN_STATUSES or invoice.due_on >= today:
            return False, False  # paid or cancelled since the list was read
        marked = invoice.status != InvoiceStatus.OVERDUE
        if marked:
            invoice.status = InvoiceStatus.OVERDUE
            invoice.updated_at = timezone.now()
            invoice.save(update_fields=["status", "updated_at"])
        if not _claim(invoice=invoice, kind=ReminderKind.OVERDUE):
            return marked, False
        owed = student_balance(student=invoice.student_id)
        _remind(
            invoice=invoice,
            kind=INVOICE_OVERDUE,
            params=invoice_params(invoice=invoice, balance=owed),
        )
        return marked, True


def _due_soon(*, invoice_id: int, today: date) -> bool:
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("student").get(pk=invoice_id)
        in_window = today <= invoice.due_on <= today + timedelta(days=DUE_SOON_DAYS)
        if invoice.status not in NOT_YET_DUE_STATUSES:
            return False
        if not in_window or not _claim(invoice=invoice, kind=ReminderKind.DUE_SOON):
            return False
        owed = student_balance(student=invoice.student_id)
        _remind(
            invoice=invoice,
            kind=INVOICE_DUE_SOON,
            params=due_soon_params(invoice=invoice, balance=owed, today=today),
        )
        return True


def _claim(*, invoice: Invoice, kind: str) -> bool:
    """Record that this reminder is being sent; False if it was sent before. The invoice row
    is locked by the caller, so a concurrent run waits here and then sees the record."""
    if InvoiceReminder.objects.filter(invoice=invoice, kind=kind).exists():
        return False
    InvoiceReminder.objects.create(invoice=invoice, kind=kind)
    return True


def _remind(*, invoice: Invoice, kind: NotificationType[P], params: P) -> None:
    """The inbox notification and the e-mail say the same thing: both are rendered from the
    notification's parameters, each e-mail in its reader's language (the daily run has no
    request to take a language from). The student's guardians get their copy, naming the
    child, by both ways too."""
    guardians = notify_family(student=invoice.student, kind=kind, params=params)
    _mail(invoice=invoice, reader=invoice.student, kind=kind, params=params)
    for guardian in User.objects.filter(pk__in=guardians):
        _mail(
            invoice=invoice,
            reader=guardian,
            kind=kind,
            params=for_guardian(params, student=invoice.student),
        )


def _mail(*, invoice: Invoice, reader: User, kind: NotificationType[P], params: P) -> None:
    tenant = current_tenant()
    # In the reader's language, times in the tenant's zone (as the inbox shows it to them).
    with recipient_locale(reader):
        shown = kind.render(params)
        link = tenant_base_url(tenant=tenant) + shown.url
        subject = gettext("%(title)s: %(invoice)s — %(school)s") % {
            "title": shown.title,
            "invoice": invoice.number,
            "school": tenant.name,
        }
        text = "\n\n".join(
            [
                gettext("Hello %(name)s,") % {"name": reader.display_name},
                shown.body,
                gettext("Your invoices: %(link)s") % {"link": link},
            ]
        )
        text += "\n"
    recipient = reader.email
    transaction.on_commit(
        lambda: send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient]),
        robust=True,
    )
