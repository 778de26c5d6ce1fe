"""Importing a people CSV: import_start checks the file and queues the job; the worker runs
people_import_run, which creates everyone in one transaction or no one, tells the person who
started it how far it got over their socket, and invites the new people once it commits.
Call inside the tenant's schema."""

import logging
from collections.abc import Sequence

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import Role
from config.outage import DATABASE_OUTAGE_ERRORS
from people.imports import IMPORT_TOPIC
from people.imports.parse import decode, parse
from people.imports.selectors import Preview, PreviewRow, import_preview
from people.models import ImportJob, ImportStatus
from people.services import people_invite
from people.tasks import people_import as people_import_task
from realtime.job_progress import job_finished, job_progress_write, job_publish
from school.models import Guardianship, StudentRecord
from tenants.db import current_schema_name
from tenants.selectors import current_tenant
from tenants.tasks import enqueue_for_tenant

logger = logging.getLogger(__name__)

# Rows created per round trip; the person watching hears how far it got after each.
CHUNK = 100


def preview_file(*, data: bytes) -> tuple[str, Preview]:
    """The file's text and what each row would do (ParseError for a file of the wrong shape)."""
    text = decode(data)
    kind = current_tenant().kind
    return text, import_preview(csv_file=parse(text, kind=kind), kind=kind)


def _refuse_problems(preview: Preview) -> None:
    count = len(preview.problem_rows)
    if count:
        raise ValidationError(
            ngettext(
                "%(count)s row has a problem: fix it and upload the file again.",
                "%(count)s rows have problems: fix them and upload the file again.",
                count,
            )
            % {"count": count}
        )


@transaction.atomic
def import_start(*, by: User, data: bytes, file_name: str) -> ImportJob:
    """Queue the import of `data` (a CSV file) by `by`; ParseError or ValidationError, and
    nothing queued, when the file or any of its rows has a problem."""
    text, preview = preview_file(data=data)
    _refuse_problems(preview)
    job = ImportJob.objects.create(
        created_by=by, file_name=file_name[:255], content=text, row_count=len(preview.rows)
    )
    schema = current_schema_name()
    transaction.on_commit(
        lambda: enqueue_for_tenant(people_import_task, schema_name=schema, job_id=job.pk)
    )
    return job


class _RowsChanged(Exception):
    """Rows that were fine in the preview have problems now: nothing is imported."""

    def __init__(self, count: int) -> None:
        self.count = count


def people_import_run(*, job_id: int) -> ImportJob:
    """Create the people of the import `job_id`, all or none (the worker's task). A job that
    already ended is left as it is: a redelivered task imports nothing twice."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.is_finished:
        return job
    job.status, job.started_at = ImportStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    _progress(job, done=0)
    try:
        with transaction.atomic():
            _import(job)
    except _RowsChanged as changed:
        _fail(job, problem_count=changed.count)
    except DATABASE_OUTAGE_ERRORS:
        raise  # the task retries once the database is back; nothing was committed
    except Exception as exc:
        logger.exception("import %s failed", job.pk)
        _fail(job, error=f"{type(exc).__name__}: {exc}")
    return job


def _import(job: ImportJob) -> None:
    kind = current_tenant().kind
    preview = import_preview(csv_file=parse(job.content, kind=kind), kind=kind)
    if preview.problem_rows:
        raise _RowsChanged(len(preview.problem_rows))
    created: dict[int, User] = {}  # row number -> person
    rows = preview.rows
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        people = User.objects.bulk_create([_person(row) for row in chunk])
        EmailAddress.objects.bulk_create(
            EmailAddress(user=person, email=person.email, primary=True, verified=True)
            for person in people
        )
        created.update(zip((row.number for row in chunk), people, strict=True))
        _progress(job, done=start + len(chunk))
    if kind == "school":
        _school_records(rows, created)
    people = list(created.values())
    job.status, job.finished_at, job.created_count = (
        ImportStatus.DONE,
        timezone.now(),
        len(people),
    )
    job.save(update_fields=["status", "finished_at", "created_count"])
    # After commit, in this order: the page shows the result at once, the mails follow.
    transaction.on_commit(lambda: _finished(job), robust=True)
    people_invite(people=people, invited_by=job.created_by, sent=lambda n: _invited(job, n))


def _person(row: PreviewRow) -> User:
    assert row.role is not None  # the preview found no problem
    person = User(
        email=row.email, role=row.role, full_name=row.full_name.strip(), language=row.language
    )
    # What set_unusable_password does, without hashing a random password for each person.
    person.password = make_password(None)
    return person


def _school_records(rows: Sequence[PreviewRow], created: dict[int, User]) -> None:
    StudentRecord.objects.bulk_create(
        StudentRecord(
            student=created[row.number],
            enrolment_number=row.enrolment_number,
            group_id=row.group_id,
        )
        for row in rows
        if row.role == Role.STUDENT
    )
    links: set[tuple[int, int]] = set()
    for row in rows:
        if row.role == Role.GUARDIAN:
            guardian = created[row.number].pk
            links.update((guardian, child) for child in row.child_ids)
            links.update((guardian, created[number].pk) for number in row.child_rows)
    Guardianship.objects.bulk_create(
        Guardianship(guardian_id=guardian, student_id=child) for guardian, child in sorted(links)
    )


def _progress(job: ImportJob, *, done: int) -> None:
    """Not durable and not rolled back: the page re-reads the job when it (re)connects."""
    job_progress_write(
        topic=IMPORT_TOPIC,
        object_id=job.pk,
        event_type="import.progress",
        done=done,
        total=job.row_count,
    )


def _publish(job: ImportJob, event: dict[str, object]) -> None:
    job_publish(topic=IMPORT_TOPIC, object_id=job.pk, event=event)


def _finished(job: ImportJob) -> None:
    job_finished(
        topic=IMPORT_TOPIC,
        object_id=job.pk,
        event={"type": "import.finished", "status": job.status, "created": job.created_count},
    )


def _invited(job: ImportJob, count: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(invited_count=count)
    _publish(job, {"type": "import.invited", "invited": count})


def _fail(job: ImportJob, *, problem_count: int = 0, error: str = "") -> None:
    job.status, job.finished_at = ImportStatus.FAILED, timezone.now()
    job.problem_count, job.error, job.created_count = problem_count, error, 0
    job.save(update_fields=["status", "finished_at", "problem_count", "error", "created_count"])
    _finished(job)
