"""The school's CSV downloads (config.csv_export says what a file holds): a course's gradebook
for whoever may open it, the invoices with the list's filters, and the payments."""

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.access import request_user, role_required
from accounts.roles import SCHOOL_STAFF
from config.csv_export import csv_response, export_filename
from config.forms import bad_input
from school import access, selectors_exports
from school.clock import tenant_today
from school.forms import InvoiceFilterForm
from school.views.grades import GRADERS
from tenants.selectors import current_tenant


def _download(request: HttpRequest, what: str, table: selectors_exports.Table) -> HttpResponse:
    header, rows = table
    filename = export_filename(slug=current_tenant().slug, what=what, on=tenant_today())
    response = csv_response(request, filename=filename, header=header, rows=rows)
    # The role decorators are typed for HttpResponse; a streaming one answers just the same.
    return cast(HttpResponse, response)


@role_required(*GRADERS)
@require_GET
def gradebook_csv(request: HttpRequest, course_id: int) -> HttpResponse:
    # The gradebook page's own rule: a teacher their courses (404 for another's).
    course = access.access_course(request_user(request), course_id)
    return _download(
        request, f"gradebook-{course.pk}", selectors_exports.gradebook_table(course=course)
    )


@role_required(*SCHOOL_STAFF)
@require_GET
def invoices_csv(request: HttpRequest) -> HttpResponse:
    """The invoices the list shows for the same query string (every page of them)."""
    form = InvoiceFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return bad_input(request, form)
    filters: dict[str, Any] = {}
    if form.is_bound:
        data = form.cleaned_data
        filters = {
            "status": data["status"],
            "student_id": data["student"].pk if data["student"] else None,
            "search": data["q"],
            "due_from": data["due_from"],
            "due_to": data["due_to"],
        }
    return _download(request, "invoices", selectors_exports.invoices_table(**filters))


@role_required(*SCHOOL_STAFF)
@require_GET
def payments_csv(request: HttpRequest) -> HttpResponse:
    """Every payment (the feed shows the latest; it has no filters)."""
    return _download(request, "payments", selectors_exports.payments_table())
