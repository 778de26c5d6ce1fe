"""A patient's or dentist's calendar feed: the page that shows its private URL (with a copy
button and "Reset link"), and the feed itself, which calendar apps fetch without signing in:
the token in the URL authorises. A token that opens nothing here (reset, mistyped, another
tenant's) is a 404 like any unknown page."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import request_user, role_required
from clinic.calendar_feed import FEED_ROLES, feed_calendar, feed_owner
from clinic.services.calendar import calendar_feed_reset, calendar_feed_token
from clinic.views import render
from realtime.services import recipient_locale


@role_required(*FEED_ROLES)
@require_GET
def calendar_feed(request: HttpRequest) -> HttpResponse:
    token = calendar_feed_token(user=request_user(request))
    url = request.build_absolute_uri(reverse("clinic:calendar_feed_ics", kwargs={"token": token}))
    # webcal:// opens the subscription dialog of the calendar app on phones and desktops.
    webcal = "webcal://" + url.split("://", 1)[1]
    return render(request, "clinic/calendar_feed.html", {"feed_url": url, "webcal_url": webcal})


@role_required(*FEED_ROLES)
@require_POST
def calendar_feed_reset_link(request: HttpRequest) -> HttpResponse:
    calendar_feed_reset(user=request_user(request))
    messages.success(
        request,
        _("Your calendar has a new link; the old one no longer works. Subscribe again."),
    )
    return redirect("clinic:calendar_feed")


@require_GET
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    owner = feed_owner(token=token)
    if owner is None:
        raise Http404(_("No such calendar."))
    # The owner's language, whoever fetches it (a calendar app sends no useful one).
    with recipient_locale(owner):
        body = feed_calendar(user=owner)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
