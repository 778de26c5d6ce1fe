from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import request_user
from realtime.selectors import notification_list, notification_unread_count
from realtime.services import notification_mark_all_read, notification_mark_read


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "realtime/inbox.html",
        {
            "notifications": notification_list(user=user)[:200],
            "unread": notification_unread_count(user=user),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    seq = request.POST.get("seq", "")
    if seq == "all":
        notification_mark_all_read(user=user)
    elif seq.isdigit():
        notification_mark_read(user=user, seq=int(seq))
    else:
        return HttpResponse("seq must be a number or 'all'", status=400)
    return redirect("realtime:inbox")
