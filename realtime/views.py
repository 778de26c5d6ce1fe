from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from accounts.access import request_user, role_required
from accounts.roles import STAFF_ROLES
from config.forms import bad_input
from realtime.forms import MarkReadForm
from realtime.presence import presence_online_users
from realtime.selectors import inbox_rows, notification_unread_count, online_people
from realtime.services import notification_mark_all_read, notification_mark_read
from tenants.db import current_schema_name


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "realtime/inbox.html",
        {
            "notifications": inbox_rows(user=user, language=translation.get_language()),
            "unread": notification_unread_count(user=user),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        return bad_input(request, form)
    seq: int | None = form.cleaned_data["seq"]
    if seq is None:
        notification_mark_all_read(user=user)
    else:
        notification_mark_read(user=user, seq=seq)
    return redirect("realtime:inbox")


@role_required(*STAFF_ROLES)
@require_GET
def presence_online(request: HttpRequest) -> HttpResponse:
    """Staff of *this* tenant online now, for the "Online now" card of the staff dashboards.
    The schema comes from the request's host, never from a parameter."""
    ids = presence_online_users(schema_name=current_schema_name())
    people = online_people(user_ids=ids)
    return JsonResponse(
        {
            "users": [
                {"id": p.id, "name": p.name, "role": p.role, "role_label": p.role_label}
                for p in people
            ]
        }
    )
