"""The CSV import's pages: upload (with the template and the rules), preview (each row's
problems), and the job's progress and result. Only people managers; a job only for the person
who started it."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import request_user
from people.access import people_manager_required
from people.imports import IMPORT_TOPIC
from people.imports.access import access_import_job
from people.imports.forms import StartForm, UploadForm, start_form_for
from people.imports.parse import COLUMNS, MAX_ROWS, ParseError, template_csv
from people.imports.selectors import import_progress, importable_roles
from people.imports.services import import_start, preview_file
from people.models import ImportJob, ImportStatus
from tenants.selectors import current_tenant

# The template's example rows, one per importable role (children name the student above).
EXAMPLES = {
    "school": [
        ["student", "Ana López", "ana.lopez@example.org", "2026-001", "", "", "es-mx"],
        ["guardian", "Marta López", "marta.lopez@example.org", "", "", "2026-001", ""],
        ["teacher", "Luis Pérez", "luis.perez@example.org", "", "", "", "en"],
    ],
    "clinic": [
        ["patient", "Ana López", "ana.lopez@example.org", "es-mx"],
        ["dentist", "Luis Pérez", "luis.perez@example.org", ""],
        ["receptionist", "Marta Ruiz", "marta.ruiz@example.org", "en"],
    ],
}


# What goes in each column, as the upload page explains it.
COLUMN_HELP = {
    "full_name": _("the person's name as it should show"),
    "email": _("where the invitation goes; each person needs their own"),
    "enrolment_number": _("students only, required and unique"),
    "group": _("students only, optional: a group that exists in the school"),
    "children": _(
        "guardians only: their children's e-mails or enrolment numbers, separated by spaces "
        "(students of this file or already here)"
    ),
    "language": _("en or es-mx for the invitation and the pages; empty for the default"),
}


def _column_help(kind: str) -> list[tuple[str, str]]:
    roles = ", ".join(f"{role.value} ({role.label})" for role in importable_roles(kind))
    return [
        (column, roles if column == "role" else str(COLUMN_HELP[column]))
        for column in COLUMNS[kind]
    ]


def _upload_page(
    request: HttpRequest, form: UploadForm, *, status: int = 200, problems: list[str] | None = None
) -> HttpResponse:
    kind = current_tenant().kind
    return render(
        request,
        "people/import.html",
        {
            "form": form,
            "problems": problems or [],
            "column_help": _column_help(kind),
            "max_rows": MAX_ROWS,
            "recent": ImportJob.objects.filter(created_by=request_user(request))[:5],
        },
        status=status,
    )


@people_manager_required
@require_GET
def import_upload(request: HttpRequest) -> HttpResponse:
    return _upload_page(request, UploadForm())


@people_manager_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    kind = current_tenant().kind
    response = HttpResponse(
        template_csv(kind=kind, examples=EXAMPLES[kind]), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="people-{kind}.csv"'
    return response


@people_manager_required
@require_POST
def import_preview(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    file_name, data = form.cleaned_data["file"]
    try:
        _text, preview = preview_file(data=data)
    except ParseError as exc:
        form.add_error("file", str(exc))
        return _upload_page(request, form, status=400)
    return render(
        request,
        "people/import_preview.html",
        {
            "preview": preview,
            "file_name": file_name,
            "start_form": start_form_for(file_name=file_name, data=data),
            "upload_form": UploadForm(),
        },
    )


@people_manager_required
@require_POST
def import_begin(request: HttpRequest) -> HttpResponse:
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            job = import_start(
                by=request_user(request),
                data=form.cleaned_data["content"],
                file_name=form.cleaned_data["file_name"],
            )
        except (ParseError, ValidationError) as exc:
            message = str(exc) if isinstance(exc, ParseError) else " ".join(exc.messages)
            form.add_error(None, message)
        else:
            return redirect("people:import_job", job_id=job.pk)
    problems = [str(e) for errors in form.errors.values() for e in errors]
    return _upload_page(request, UploadForm(), status=400, problems=problems)


def _job_context(job: ImportJob) -> dict[str, object]:
    progress = import_progress(job_id=job.pk) if job.status == ImportStatus.RUNNING else None
    done, total = progress or (0, job.row_count)
    return {"job": job, "done": done, "total": total, "topic": IMPORT_TOPIC}


@people_manager_required
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_import_job(by=request_user(request), pk=job_id)
    return render(request, "people/import_job.html", _job_context(job))


@people_manager_required
@require_GET
def import_job_fragment(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's state alone, as the page shows it: the page swaps it in when the import ends
    and after every reconnect (progress events are not replayed)."""
    job = access_import_job(by=request_user(request), pk=job_id)
    return render(request, "people/_import_job_status.html", _job_context(job))
