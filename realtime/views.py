from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import request_user
from realtime.forms import MarkReadForm
from realtime.selectors import inbox_rows, notification_unread_count
from realtime.services import notification_mark_all_read, notification_mark_read


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "realtime/inbox.html",
        {
            "notifications": inbox_rows(user=user),
            "unread": notification_unread_count(user=user),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        return HttpResponse("seq must be a number or 'all'", status=400)
    seq: int | None = form.cleaned_data["seq"]
    if seq is None:
        notification_mark_all_read(user=user)
    else:
        notification_mark_read(user=user, seq=seq)
    return redirect("realtime:inbox")
