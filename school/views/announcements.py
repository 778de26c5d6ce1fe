"""The announcement pages: the list (what one sent, what one received), the form to send
one, and an announcement's page (its read count live for its author and administrators)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET

from accounts.access import request_user, role_required
from accounts.roles import SCHOOL_STAFF, Role
from school import access
from school.forms import add_service_errors
from school.forms_announcements import AnnouncementForm
from school.payloads import ANNOUNCEMENT_TOPIC
from school.selectors_announcements import (
    announcement_read_state,
    announcement_receipt,
    announcements_received,
    announcements_sent,
)
from school.services import announcements as services

EVERYONE = (*SCHOOL_STAFF, Role.TEACHER, Role.STUDENT, Role.GUARDIAN)
LIST_LENGTH = 100


@role_required(*EVERYONE)
@require_GET
def announcements(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    may_announce = access.may_announce(user)
    sent = (
        announcements_sent(user=user, everyone=access.may_announce_widely(user))[:LIST_LENGTH]
        if may_announce
        else []
    )
    return render(
        request,
        "school/announcements.html",
        {
            "may_announce": may_announce,
            "sent": sent,
            "received": announcements_received(user=user)[:LIST_LENGTH],
        },
    )


@role_required(*access.ANNOUNCERS)
def announcement_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = AnnouncementForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            scope, key = form.cleaned_data["audience"]
            try:
                audience = access.access_audience(user, scope=scope, key=key)
                announcement = services.announcement_send(
                    author=user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    audience=audience,
                    reach=form.cleaned_data["reach"],
                )
            except Http404 as exc:
                # Not theirs to address, or no such group or course: said on the form.
                form.add_error("audience", str(exc))
                status = 404
            except PermissionDenied as exc:
                form.add_error("audience", str(exc))
                status = 403
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                count = announcement.recipient_count
                messages.success(
                    request,
                    ngettext(
                        "Announcement sent to %(count)d person.",
                        "Announcement sent to %(count)d people.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("school:announcement", announcement.pk)
    return render(request, "school/announcement_new.html", {"form": form}, status=status)


@role_required(*EVERYONE)
@require_GET
def announcement(request: HttpRequest, announcement_id: int) -> HttpResponse:
    user = request_user(request)
    found = access.access_announcement(user, announcement_id)
    # Opening it is reading it (for a recipient; nothing for its author or an administrator).
    services.announcement_open(announcement=found, user=user)
    watch = access.may_watch_reads(user, found)
    return render(
        request,
        "school/announcement.html",
        {
            "announcement": found,
            "watch_reads": watch,
            "reads": announcement_read_state(announcement_id=found.pk) if watch else None,
            "receipt": announcement_receipt(announcement=found, user=user),
            "topic": ANNOUNCEMENT_TOPIC,
        },
    )


@role_required(*EVERYONE)
@require_GET
def announcement_reads_json(request: HttpRequest, announcement_id: int) -> HttpResponse:
    """The read count, which the author's page re-reads after a reconnect."""
    user = request_user(request)
    found = access.access_announcement(user, announcement_id)
    if not access.may_watch_reads(user, found):
        raise Http404(gettext("No such announcement."))
    return JsonResponse(announcement_read_state(announcement_id=found.pk))
