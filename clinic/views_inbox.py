"""The staff's messages inbox: every appointment thread a staff member may see, newest first,
with their own unread counts, live (clinic.inbox topic; the page re-reads inbox_data after a
reconnect). A thread opens on its appointment's page, where the reply form is."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from accounts.access import request_user, role_required
from accounts.roles import CLINIC_STAFF
from clinic.access import access_appointment
from clinic.forms import ThreadReadForm
from clinic.services.threads import thread_mark_read
from clinic.threads import INBOX_LIMIT, inbox_threads, unread_total
from clinic.views import render
from config.forms import bad_input_json


@role_required(*CLINIC_STAFF)
def inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    rows, total = inbox_threads(reader=user)
    return render(
        request,
        "clinic/inbox.html",
        {"threads": rows, "total": total, "limit": INBOX_LIMIT, "more": total > len(rows)},
    )


@role_required(*CLINIC_STAFF)
def inbox_data(request: HttpRequest) -> JsonResponse:
    """The rows as JSON, for the page after a reconnect (topic events are never replayed)."""
    user = request_user(request)
    rows, total = inbox_threads(reader=user)
    return JsonResponse(
        {"threads": rows, "total": total, "unread_total": unread_total(reader=user)}
    )


@role_required(*CLINIC_STAFF)
@require_POST
def thread_read(request: HttpRequest, pk: int) -> JsonResponse:
    """The appointment's page read a message that arrived live: the thread is read to there."""
    user = request_user(request)
    found = access_appointment(user=user, pk=pk)
    form = ThreadReadForm(request.POST)
    if not form.is_valid():
        return bad_input_json(form)
    marker = thread_mark_read(appointment=found, reader=user, up_to=form.cleaned_data["message"])
    return JsonResponse({"last_read_id": marker})
