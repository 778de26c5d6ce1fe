"""Billing runs: one catalogue fee billed to a whole level or group with one due date (the
month's tuition). billing_run_start checks the request and queues the run; the worker runs
billing_run_execute, which bills each student in their own transaction — the invoice and the
family's "New invoice", exactly as an invoice issued by hand — and tells the administrators
watching the run's page how far it got.

Nothing is billed twice, and PostgreSQL is what says so: a run's key (fee, audience, due date)
is unique (the same run cannot be started twice, even by two people at once), a run's invoices
are unique per student (a redelivered or doubled task bills no one again), and no two runs
bill a student the same fee for the same due date (a level's run after one of its groups')."""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext

from accounts.models import User
from config.outage import DATABASE_OUTAGE_ERRORS
from realtime.job_progress import job_finished, job_progress_write
from school.clock import tenant_today
from school.errors import Conflict
from school.models import (
    BillingRun,
    BillingRunSkip,
    BillingRunStatus,
    ClassGroup,
    Course,
    FeeItem,
    Guardianship,
    Invoice,
    InvoiceStatus,
    SchoolYear,
    SkipReason,
)
from school.payloads import BILLING_RUN_TOPIC
from school.selectors_billing import audience_students
from school.services.common import require_administrator
from school.services.invoices import invoice_create_and_notify
from school.services.totals import totals_changed
from school.tasks import billing_run as billing_run_task
from tenants.db import current_schema_name
from tenants.tasks import enqueue_for_tenant

logger = logging.getLogger(__name__)

# Students billed between two progress pushes (and two pings of the overview's totals): the
# page moves often enough, the administrators' sockets are not flooded by a big level.
CHUNK = 20


class RunExists(Conflict):
    """This fee was already billed to this audience for this due date: here is that run."""

    def __init__(self, run: BillingRun) -> None:
        super().__init__(
            gettext(
                "%(fee)s was already billed to %(audience)s for %(date)s: "
                "that run is below. Nothing was issued twice."
            )
            % {
                "fee": run.fee.name,
                "audience": run.audience,
                "date": formats.date_format(run.due_on, "SHORT_DATE_FORMAT"),
            }
        )
        self.run = run


def _audience_problem(*, group: ClassGroup | None, level: str, due_on: date) -> str | None:
    if group is not None:
        year = SchoolYear.objects.filter(starts_on__lte=due_on, ends_on__gte=due_on).first()
        courses = Course.objects.filter(group=group)
        # A group is of the years its courses are in; a group without courses yet is of any.
        if year is not None and courses.exists() and not courses.filter(term__year=year):
            return gettext(
                "%(group)s has courses only in other school years, not in %(year)s "
                "(the year of the due date): pick a group of %(year)s."
            ) % {"group": group, "year": year}
        if not audience_students(group=group).exists():
            return gettext("%(group)s has no students: there is no one to bill.") % {"group": group}
        return None
    if not audience_students(level=level).exists():
        return gettext("Level %(level)s has no students: there is no one to bill.") % {
            "level": level
        }
    return None


def billing_run_start(
    *,
    fee: FeeItem,
    due_on: date,
    by: User,
    group: ClassGroup | None = None,
    level: str = "",
) -> BillingRun:
    """Queue the billing of `fee` to one group or one level, due on `due_on`. RunExists (and
    nothing queued) when that run was started before, unless it stopped half-way: then it is
    queued again; ValidationError for a fee out of the catalogue, a past due date, a group of
    another year or an audience without students."""
    require_administrator(by)
    level = level.strip()
    if (group is None) == (not level):
        raise ValidationError({"audience": gettext("Choose one level or one group to bill.")})
    errors: dict[str, str] = {}
    if not fee.is_active:
        errors["fee"] = gettext("%(fee)s is no longer in the catalogue.") % {"fee": fee.name}
    if due_on < tenant_today():
        errors["due_on"] = gettext("The due date cannot be in the past.")
    problem = _audience_problem(group=group, level=level, due_on=due_on)
    if problem:
        errors["audience"] = problem
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            run = BillingRun.objects.create(
                fee=fee,
                group=group,
                level="" if group is not None else level,
                due_on=due_on,
                description=fee.name,
                amount=fee.amount,
                created_by=by,
                student_count=audience_students(group=group, level=level).count(),
            )
    except IntegrityError:
        # The run's key is taken (a run started before, or a moment ago by someone else).
        same = BillingRun.objects.select_related("fee", "group").filter(fee=fee, due_on=due_on)
        same = (
            same.filter(group=group)
            if group is not None
            else same.filter(group__isnull=True, level=level)
        )
        existing = same.first()
        if existing is None:
            raise
        # A run that stopped half-way is started again where it stopped (nobody it billed
        # is billed twice); any other is refused, naming it.
        again = BillingRun.objects.filter(pk=existing.pk, status=BillingRunStatus.FAILED)
        if not again.update(status=BillingRunStatus.QUEUED, error="", finished_at=None):
            raise RunExists(existing) from None
        run = existing
    _queue(run)
    return run


def _queue(run: BillingRun) -> None:
    schema = current_schema_name()
    transaction.on_commit(
        lambda: enqueue_for_tenant(billing_run_task, schema_name=schema, run_id=run.pk)
    )


def billing_run_execute(*, run_id: int) -> BillingRun:
    """Bill the run's audience (the worker's task). Safe to run again, or twice at once: who
    was billed or skipped stays so, the rest are billed."""
    run = BillingRun.objects.select_related("fee", "group", "created_by").get(pk=run_id)
    if run.is_finished:
        return run
    students = list(audience_students(group=run.group, level=run.level))
    total = len(students)
    run.status, run.student_count = BillingRunStatus.RUNNING, total
    run.started_at = run.started_at or timezone.now()
    run.save(update_fields=["status", "student_count", "started_at"])
    _progress(run, done=0, total=total, issued=run.invoices.count())
    try:
        for start in range(0, total, CHUNK):
            for student in students[start : start + CHUNK]:
                _bill(run, student)
            totals_changed()  # outside a transaction: sent at once
            _progress(run, done=min(start + CHUNK, total), total=total, issued=run.invoices.count())
    except DATABASE_OUTAGE_ERRORS:
        raise  # the task retries once the database is back; the billed stay billed
    except Exception as exc:
        logger.exception("billing run %s failed", run.pk)
        run.error = f"{type(exc).__name__}: {exc}"
        _finish(run, BillingRunStatus.FAILED)
        return run
    _finish(run, BillingRunStatus.DONE)
    return run


def _already_invoiced(run: BillingRun, student: User) -> bool:
    """Billed this fee for this due date already: by hand, or by another run. Not by this
    run: a second worker running it at the same moment may see the first one's invoice
    committed between its own checks, and must not report that student as skipped."""
    return (
        Invoice.objects.filter(student=student, fee=run.fee, due_on=run.due_on)
        .exclude(status=InvoiceStatus.CANCELLED)
        .exclude(billing_run=run)
        .exists()
    )


def _skip(run: BillingRun, student: User, reason: SkipReason) -> None:
    # ON CONFLICT DO NOTHING: a doubled task may note the same skip at the same moment.
    BillingRunSkip.objects.bulk_create(
        [BillingRunSkip(run=run, student=student, reason=reason)], ignore_conflicts=True
    )


def _bill(run: BillingRun, student: User) -> None:
    """One student: billed, or noted as skipped and why, in one transaction."""
    with transaction.atomic():
        dealt_with = Invoice.objects.filter(billing_run=run, student=student).exists()
        if dealt_with or run.skips.filter(student=student).exists():
            return  # an earlier try of this run got here
        if _already_invoiced(run, student):
            _skip(run, student, SkipReason.ALREADY_INVOICED)
            return
        if not Guardianship.objects.filter(student=student).exists():
            _skip(run, student, SkipReason.NO_GUARDIAN)
            return
        try:
            with transaction.atomic():
                invoice_create_and_notify(
                    student=student,
                    fee=run.fee,
                    description=run.description,
                    amount=run.amount,
                    issued_on=tenant_today(),
                    due_on=run.due_on,
                    by=run.created_by,
                    billing_run=run,
                )
        except IntegrityError:
            # Another try of this run, or another run, billed them a moment ago (the
            # unique constraints of Invoice); their notification is theirs, none is sent here.
            if not Invoice.objects.filter(billing_run=run, student=student).exists():
                _skip(run, student, SkipReason.ALREADY_INVOICED)


def _progress(run: BillingRun, *, done: int, total: int, issued: int) -> None:
    job_progress_write(
        topic=BILLING_RUN_TOPIC,
        object_id=run.pk,
        event_type="billing_run.progress",
        done=done,
        total=total,
        issued=issued,
    )


def _finish(run: BillingRun, status: BillingRunStatus) -> None:
    run.status, run.finished_at = status, timezone.now()
    run.issued_count = run.invoices.count()
    run.skipped_count = run.skips.count()
    run.save(update_fields=["status", "finished_at", "issued_count", "skipped_count", "error"])
    job_finished(
        topic=BILLING_RUN_TOPIC,
        object_id=run.pk,
        event={
            "type": "billing_run.finished",
            "status": run.status,
            "issued": run.issued_count,
            "skipped": run.skipped_count,
        },
    )
