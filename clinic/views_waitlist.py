"""The waitlist's pages (#14): a patient joins, leaves and answers offers; the clinic's staff
see who waits for each dentist. Each view parses, checks access, calls one service."""

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import request_user, role_required
from accounts.models import User
from accounts.roles import CLINIC_STAFF, Role
from clinic import selectors
from clinic.access import FRONT_DESK, access_dentist
from clinic.access_waitlist import access_waitlist_entry, access_waitlist_offer
from clinic.clock import local_today
from clinic.errors import OfferTaken, error_text
from clinic.forms_waitlist import WaitlistChoiceForm, WaitlistDentistForm, WaitlistJoinForm
from clinic.models import WaitlistEntry, WaitlistOffer, WaitlistPeriod, Weekday
from clinic.selectors_waitlist import (
    DEFAULT_WAIT,
    dentist_waitlist,
    patient_offers,
    patient_waitlist,
    period_label,
)
from clinic.services.waitlist import waitlist_join, waitlist_leave, waitlist_offer_accept
from clinic.views import render
from config.forms import bad_input


def _problems(form: WaitlistJoinForm) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _rows(entries: Iterable[WaitlistEntry]) -> list[tuple[WaitlistEntry, str, str]]:
    """Each entry with its days and parts of the day written out in the reader's language."""
    every_day = set(Weekday.values)
    rows = []
    for entry in entries:
        days = (
            _("Every day")
            if set(entry.weekdays) == every_day
            else ", ".join(str(Weekday(d).label) for d in sorted(entry.weekdays))
        )
        parts = ", ".join(period_label(p) for p in WaitlistPeriod.values if p in entry.periods)
        rows.append((entry, days, parts))
    return rows


def _page(patient: User, choices: dict[str, Any]) -> dict[str, Any]:
    """The patient's waitlist page: their entries and offers, and the join form with the
    dentist and kind chosen (or the first ones), every day and time ticked, a month ahead."""
    types = selectors.appointment_type_list()
    kind = types.filter(pk=choices.get("type") or 0).first() or types.first()
    dentists = (
        selectors.dentists_offering(appointment_type=kind) if kind else selectors.dentist_list()
    )
    dentist = dentists.filter(pk=choices.get("dentist") or 0).first()
    last_day = selectors.booking_last_day()
    return {
        "entries": _rows(patient_waitlist(patient=patient)),
        "offers": patient_offers(patient=patient),
        "types": types,
        "dentists": selectors.dentist_list(),
        "kind": kind,
        "dentist": dentist,
        "weekdays": Weekday.choices,
        "periods": [(p, period_label(p)) for p in WaitlistPeriod.values],
        "chosen_weekdays": choices.get("weekdays") or Weekday.values,
        "chosen_periods": choices.get("periods") or WaitlistPeriod.values,
        "until": choices.get("until") or min(local_today() + DEFAULT_WAIT, last_day),
        "today": local_today(),
        "last_day": last_day,
        "states": dict(WaitlistOffer.State.choices),
    }


@role_required(Role.PATIENT)
def waitlist(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if request.method != "POST":
        query = WaitlistChoiceForm(request.GET)
        if not query.is_valid():
            return bad_input(request, query)
        return render(request, "clinic/waitlist.html", _page(user, query.cleaned_data))
    form = WaitlistJoinForm(request.POST)
    valid = form.is_valid()
    context = _page(user, form.cleaned_data)
    if not valid:
        context["error"] = _problems(form)
        return render(request, "clinic/waitlist.html", context, status=400)
    dentist = selectors.dentist_list().filter(pk=form.cleaned_data["dentist"] or 0).first()
    kind = selectors.appointment_type_list().filter(pk=form.cleaned_data["type"] or 0).first()
    if dentist is None or kind is None:
        context["error"] = _("Choose a dentist and a kind of appointment.")
        return render(request, "clinic/waitlist.html", context, status=400)
    try:
        waitlist_join(
            patient=user,
            dentist=dentist,
            appointment_type=kind,
            weekdays=form.cleaned_data["weekdays"],
            periods=form.cleaned_data["periods"],
            until=form.cleaned_data["until"],
        )
    except ValidationError as exc:
        context["error"] = error_text(exc)
        return render(request, "clinic/waitlist.html", context, status=400)
    messages.success(
        request, _("You are on the waitlist. When a matching time frees up, we will tell you.")
    )
    return redirect("clinic:waitlist")


@role_required(Role.PATIENT)
@require_POST
def waitlist_leave_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = request_user(request)
    entry = access_waitlist_entry(user=user, pk=entry_id)
    try:
        waitlist_leave(entry=entry, by=user)
    except ValidationError as exc:
        return render(
            request,
            "clinic/action_failed.html",
            {"error": error_text(exc), "back": reverse("clinic:waitlist")},
            status=400,
        )
    messages.success(request, _("You left the waitlist."))
    return redirect("clinic:waitlist")


def _offer_page(
    request: HttpRequest, offer: WaitlistOffer, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "clinic/waitlist_offer.html",
        {"offer": offer, "error": error, "states": dict(WaitlistOffer.State.choices)},
        status=status,
    )


@role_required(Role.PATIENT)
def waitlist_offer(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = access_waitlist_offer(user=request_user(request), pk=offer_id)
    return _offer_page(request, offer)


@role_required(Role.PATIENT)
@require_POST
def waitlist_offer_accept_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    user = request_user(request)
    offer = access_waitlist_offer(user=user, pk=offer_id)
    try:
        appointment = waitlist_offer_accept(offer=offer, by=user)
    except ValidationError as exc:
        # The offer as it is now (taken, expired), with the reason.
        offer = access_waitlist_offer(user=user, pk=offer_id)
        status = 409 if isinstance(exc, OfferTaken) else 400
        return _offer_page(request, offer, error=error_text(exc), status=status)
    messages.success(request, _("The time is yours: your appointment is confirmed."))
    return redirect("clinic:appointment", pk=appointment.pk)


@role_required(*CLINIC_STAFF)
def waitlist_staff(request: HttpRequest) -> HttpResponse:
    """Who waits for a dentist: the front desk picks any dentist, a dentist sees their own."""
    user = request_user(request)
    query = WaitlistDentistForm(request.GET)
    if not query.is_valid():
        return bad_input(request, query)
    dentists = selectors.dentist_list() if user.has_role(*FRONT_DESK) else [user]
    wanted = query.cleaned_data["dentist"]
    if wanted is None and user.has_role(*FRONT_DESK):
        first = selectors.dentist_list().first()
        wanted = first.pk if first else None
    dentist = access_dentist(user=user, pk=wanted) if wanted or user.role == Role.DENTIST else None
    entries = dentist_waitlist(dentist=dentist) if dentist else []
    return render(
        request,
        "clinic/waitlist_staff.html",
        {
            "dentists": dentists,
            "dentist": dentist,
            "entries": entries,
            "rows": _rows(entries),
        },
    )
