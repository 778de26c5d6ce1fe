"""Reads of billing runs: who a run bills (its audience), the runs, what one issued and
skipped, and how far a running one got. Call inside the tenant's schema."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.roles import Role
from realtime.job_progress import job_progress_read
from school.models import BillingRun, BillingRunSkip, ClassGroup, Invoice
from school.payloads import BILLING_RUN_TOPIC


def audience_students(*, group: ClassGroup | None = None, level: str = "") -> QuerySet[User]:
    """The active students of one group, or of every group of a level, by id."""
    students = User.objects.filter(role=Role.STUDENT, is_active=True)
    if group is not None:
        students = students.filter(student_record__group=group)
    else:
        students = students.filter(student_record__group__level=level)
    return students.order_by("pk")


@dataclass(frozen=True)
class Audience:
    key: str  # how the form names it: "group:<id>" or "level:<level>"
    label: str
    student_count: int


def audience_options() -> tuple[list[Audience], list[Audience]]:
    """(levels, groups) a run may bill, each with its active students."""
    active = Count(
        "students",
        filter=Q(students__student__is_active=True, students__student__role=Role.STUDENT),
    )
    groups = list(ClassGroup.objects.annotate(count=active).order_by("level", "name"))
    by_level: dict[str, int] = {}
    for group in groups:
        if group.level:
            by_level[group.level] = by_level.get(group.level, 0) + group.count
    levels = [Audience(f"level:{level}", level, count) for level, count in sorted(by_level.items())]
    return levels, [Audience(f"group:{g.pk}", g.name, g.count) for g in groups]


def billing_run_list() -> QuerySet[BillingRun]:
    return BillingRun.objects.select_related("fee", "group", "created_by")


def billing_run_issued(*, run: BillingRun) -> QuerySet[Invoice]:
    return run.invoices.select_related("student").order_by("student__full_name", "pk")


def billing_run_skipped(*, run: BillingRun) -> QuerySet[BillingRunSkip]:
    return run.skips.select_related("student").order_by("student__full_name", "pk")


@dataclass(frozen=True)
class RunProgress:
    done: int  # students dealt with (billed or skipped)
    total: int
    issued: int


def billing_run_progress(*, run: BillingRun) -> RunProgress:
    """How far the run got: its worker's last word while it runs, else the run's counts."""
    if not run.is_finished:
        live = job_progress_read(topic=BILLING_RUN_TOPIC, object_id=run.pk)
        if live is not None:
            done, total, extra = live
            return RunProgress(done=done, total=total, issued=extra.get("issued", 0))
    return RunProgress(
        done=run.issued_count + run.skipped_count,
        total=run.student_count,
        issued=run.issued_count,
    )
