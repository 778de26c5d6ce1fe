"""Pages of a dental clinic. Each view parses input, checks access, calls one service or
selector and answers; refusals come back as ValidationErrors shown on the page
(400, or 409 when the slot is taken or the appointment's state does not allow it)."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.shortcuts import render as django_render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import request_user, role_required
from accounts.models import User
from accounts.roles import CLINIC_STAFF, ROLES_BY_KIND, Role
from clinic import selectors
from clinic.access import FRONT_DESK, access_appointment, access_dentist, may_setup
from clinic.clock import clinic_tz, local, local_today
from clinic.errors import ClinicConflict, error_text
from clinic.forms import (
    BookingForm,
    BookingQueryForm,
    MessageForm,
    NextForm,
    ReasonForm,
    RescheduleForm,
    ScheduleQueryForm,
)
from clinic.models import Appointment, Weekday
from clinic.services.appointments import (
    appointment_accept_proposal,
    appointment_cancel,
    appointment_complete,
    appointment_confirm,
    appointment_decline,
    appointment_no_show,
    appointment_propose,
    appointment_reject_proposal,
    appointment_request,
    appointment_reschedule,
    appointment_withdraw,
)
from clinic.services.messages import appointment_message_post
from clinic.services.threads import thread_mark_read
from clinic.states import (
    AppointmentState,
    Side,
    actions_for,
    actions_of,
    actions_table,
    side_of,
)
from clinic.views_setup import checklist
from config.forms import bad_input, bad_input_json, input_problems


def render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Pages show times in the clinic's timezone (templates wrap themselves in it)."""
    return django_render(request, template, {"clinic_tz": clinic_tz(), **context}, status=status)


def _state_labels() -> dict[str, Any]:
    """Each state's label in the viewer's language, for a page whose script draws states it
    learns live (a schedule's topic event is shared by watchers who may read other languages,
    so it carries the state, not its label)."""
    return dict(AppointmentState.choices)


def _status(exc: ValidationError) -> int:
    return 409 if isinstance(exc, ClinicConflict) else 400


def _next(request: HttpRequest, default: str) -> str:
    posted, asked = NextForm(request.POST), NextForm(request.GET)
    target = (posted.cleaned_data["next"] if posted.is_valid() else "") or (
        asked.cleaned_data["next"] if asked.is_valid() else ""
    )
    # Only a path on this site: "next=all" would be taken by redirect() for a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return default


def _failed(request: HttpRequest, exc: ValidationError, back: str) -> HttpResponse:
    return render(
        request,
        "clinic/action_failed.html",
        {"error": error_text(exc), "back": back},
        status=_status(exc),
    )


@role_required(*ROLES_BY_KIND["clinic"])
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.role == Role.PATIENT:
        context: dict[str, Any] = {"upcoming": selectors.patient_upcoming(patient=user)}
    else:
        context = selectors.staff_overview(user=user)
        if may_setup(user, "setup"):
            # A clinic still setting up sees its checklist first (gone once every step is done).
            steps = checklist(user)
            if not all(step["done"] for step in steps):
                context["setup_steps"] = steps
    return render(request, "clinic/dashboard.html", {"user": user, **context})


# --- patients ------------------------------------------------------------------------------


def _booking_context(choices: dict[str, Any]) -> dict[str, Any]:
    """The booking page for the dentist/kind/day chosen (read by BookingQueryForm); what is
    missing or unknown falls back to the first dentist, the first kind and today."""
    types = selectors.appointment_type_list()
    kind = types.filter(pk=choices.get("type") or 0).first() or types.first()
    # Only the dentists who offer the chosen kind.
    dentists = (
        selectors.dentists_offering(appointment_type=kind) if kind else selectors.dentist_list()
    )
    dentist = dentists.filter(pk=choices.get("dentist") or 0).first() or dentists.first()
    last_day = selectors.booking_last_day()
    day = min(max(choices.get("date") or local_today(), local_today()), last_day)
    slots = (
        selectors.free_slots(dentist=dentist, appointment_type=kind, day=day, last_day=last_day)
        if dentist and kind
        else []
    )
    return {
        "last_day": last_day,
        # A holiday or the dentist's day off: the page says so rather than "no free times".
        "closed": dentist is not None and selectors.closed_on(dentist=dentist, day=day),
        "dentists": dentists,
        "types": types,
        "dentist": dentist,
        "kind": kind,
        "day": day,
        "weekday": Weekday(day.weekday()).label,
        "slots": slots,
        "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "today": local_today(),
    }


@role_required(Role.PATIENT)
def book(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if request.method != "POST":
        query = BookingQueryForm(request.GET)
        if not query.is_valid():
            return bad_input(request, query)
        return render(request, "clinic/book.html", _booking_context(query.cleaned_data))
    form = BookingForm(request.POST)
    valid = form.is_valid()
    # Only the choices the form could read (an invalid form keeps just those).
    context = _booking_context(form.cleaned_data)
    if not valid:
        context["error"] = (
            _("Choose one of the free slots shown.")
            if "starts_at" in form.errors
            else " ".join(input_problems(form))
        )
        return render(request, "clinic/book.html", context, status=400)
    if context["dentist"] is None or context["kind"] is None:
        context["error"] = _("Choose a dentist and a kind of appointment.")
        return render(request, "clinic/book.html", context, status=400)
    try:
        appointment = appointment_request(
            patient=user,
            dentist=context["dentist"],
            appointment_type=context["kind"],
            starts_at=form.cleaned_data["starts_at"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        context["error"] = error_text(exc)
        return render(request, "clinic/book.html", context, status=_status(exc))
    messages.success(request, _("Your request was sent; you will be notified when it is answered."))
    return redirect("clinic:appointment", pk=appointment.pk)


@role_required(Role.PATIENT)
def my_appointments(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "clinic/my_appointments.html",
        {
            "appointments": selectors.patient_appointments(patient=user),
            # What the script offers when a notification changes a row's state.
            "actions_by_state": actions_table(Side.PATIENT),
            "state_labels": _state_labels(),
            "side_actions": actions_of(Side.PATIENT),
        },
    )


# --- one appointment -------------------------------------------------------------------------


@role_required(*ROLES_BY_KIND["clinic"])
def appointment(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = access_appointment(user=user, pk=pk)
    if user.has_role(*CLINIC_STAFF):
        # The page shows the whole thread: the staff member's inbox counts it read.
        thread_mark_read(appointment=found, reader=user)
    return render(
        request,
        "clinic/appointment.html",
        {
            "appointment": found,
            "thread": selectors.appointment_messages(appointment=found),
            "side": side_of(found, user),
            "actions": actions_for(found, user),
            # Forms the script clones when a change arrives live (a proposal to answer).
            "side_actions": actions_of(side_of(found, user) or Side.CLINIC),
            "actions_by_state": actions_table(side_of(found, user) or Side.CLINIC),
            "cutoff": selectors.clinic_settings_get().cancellation_cutoff_hours,
            "state_labels": _state_labels(),
        },
    )


@role_required(*ROLES_BY_KIND["clinic"])
@require_POST
def message_post(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = access_appointment(user=user, pk=pk)
    back = _next(request, found_url(found))
    form = MessageForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(input_problems(form))
        appointment_message_post(appointment=found, author=user, body=form.cleaned_data["body"])
    except ValidationError as exc:
        return _failed(request, exc, back)
    return redirect(back)


def found_url(found: Appointment) -> str:
    return selectors.appointment_url(found.pk)


Action = Callable[[Appointment, User, HttpRequest], Appointment]


def _act(request: HttpRequest, pk: int, action: Action, done: str) -> HttpResponse:
    user = request_user(request)
    found = access_appointment(user=user, pk=pk)
    back = _next(request, found_url(found))
    try:
        action(found, user, request)
    except ValidationError as exc:
        return _failed(request, exc, back)
    messages.success(request, done)
    return redirect(back)


@role_required(*ROLES_BY_KIND["clinic"])
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a, u, r: appointment_cancel(appointment=a, by=u, reason=_reason(r)),
        _("The appointment was cancelled."),
    )


@role_required(*CLINIC_STAFF)
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a, u, r: appointment_confirm(appointment=a, by=u),
        _("Confirmed; the patient has been notified."),
    )


@role_required(*CLINIC_STAFF)
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a, u, r: appointment_decline(appointment=a, by=u, reason=_reason(r)),
        _("Declined; the patient has been notified."),
    )


def _reason(request: HttpRequest) -> str:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise ValidationError(input_problems(form))
    reason: str = form.cleaned_data["reason"]
    return reason


def _reschedule(found: Appointment, user: User, request: HttpRequest) -> Appointment:
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Give the new date and time."))
    # One form answers a request with a proposal and moves a confirmed appointment
    # (clinic.states: both actions post here).
    move = (
        appointment_propose if found.state == AppointmentState.REQUESTED else appointment_reschedule
    )
    return move(appointment=found, by=user, starts_at=form.cleaned_data["starts_at"])


@role_required(*CLINIC_STAFF)
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _reschedule, _("Done; the patient has been notified."))


@role_required(Role.PATIENT)
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a, u, r: appointment_accept_proposal(appointment=a, by=u),
        _("You accepted the new time; the appointment is confirmed."),
    )


@role_required(Role.PATIENT)
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a, u, r: appointment_reject_proposal(appointment=a, by=u),
        _("You declined the new time; the clinic has been told."),
    )


@role_required(Role.PATIENT)
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a, u, r: appointment_withdraw(appointment=a, by=u),
        _("Your request was withdrawn."),
    )


@role_required(*CLINIC_STAFF)
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a, u, r: appointment_complete(appointment=a, by=u),
        _("Marked completed."),
    )


@role_required(*CLINIC_STAFF)
@require_POST
def no_show(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a, u, r: appointment_no_show(appointment=a, by=u),
        _("Marked as a no-show."),
    )


# --- the clinic's side -----------------------------------------------------------------------


def _schedule_params(request: HttpRequest, query: ScheduleQueryForm) -> tuple[User, date, int, str]:
    user = request_user(request)
    pk: int | None = query.cleaned_data["dentist"]
    if pk is None and user.has_role(*FRONT_DESK):
        first = selectors.dentist_list().first()
        pk = first.pk if first else None
    dentist = access_dentist(user=user, pk=pk)
    view = "week" if query.cleaned_data["view"] == "week" else "day"
    day: date = query.cleaned_data["date"] or local_today()
    if view == "week":
        day -= timedelta(days=day.weekday())
    return dentist, day, 7 if view == "week" else 1, view


@role_required(*CLINIC_STAFF)
def schedule(request: HttpRequest) -> HttpResponse:
    query = ScheduleQueryForm(request.GET)
    if not query.is_valid():
        return bad_input(request, query)
    if not selectors.dentist_list().exists():
        # A new clinic: say what to do instead of "No such dentist."
        return render(request, "clinic/setup/no_dentists.html", {})
    dentist, day, days, view = _schedule_params(request, query)
    rows = list(selectors.dentist_schedule(dentist=dentist, start=day, days=days))
    shown = [day + timedelta(days=i) for i in range(days)]
    by_day = [
        (d, Weekday(d.weekday()).label, [a for a in rows if local(a.starts_at).date() == d])
        for d in shown
    ]
    step = timedelta(days=days)
    return render(
        request,
        "clinic/schedule.html",
        {
            "dentist": dentist,
            "day": day,
            "days": days,
            "view": view,
            "by_day": by_day,
            "prev": day - step,
            "next": day + step,
            "dentists": selectors.dentist_list()
            if request_user(request).role != Role.DENTIST
            else [dentist],
            "pending": selectors.pending_requests(dentist=dentist),
            # Forms the script clones for a request that arrives live (summaries carry the
            # action names per side; every watcher of a schedule acts for the clinic).
            "side_actions": actions_of(Side.CLINIC),
            "state_labels": _state_labels(),
        },
    )


@role_required(*CLINIC_STAFF)
def schedule_data(request: HttpRequest) -> JsonResponse:
    """The schedule as JSON: the page re-reads it after a reconnect (topic events are live
    only, never replayed)."""
    query = ScheduleQueryForm(request.GET)
    if not query.is_valid():
        return bad_input_json(query)
    dentist, day, days, _ = _schedule_params(request, query)
    rows = selectors.dentist_schedule(dentist=dentist, start=day, days=days)
    return JsonResponse(
        {
            "dentist_id": dentist.pk,
            "start": day.isoformat(),
            "days": days,
            "appointments": [selectors.appointment_summary(a) for a in rows],
            "pending": [
                selectors.appointment_summary(a)
                for a in selectors.pending_requests(dentist=dentist)
            ],
        }
    )


@role_required(*CLINIC_STAFF)
def requests(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    mine = user if user.role == Role.DENTIST else None
    return render(
        request,
        "clinic/requests.html",
        {
            "pending": selectors.pending_requests(dentist=mine),
            # The page follows these dentists' schedules (the clinic.schedule topic): a
            # dentist their own, the front desk every dentist's.
            "watched": [user.pk]
            if mine
            else list(selectors.dentist_list().values_list("pk", flat=True)),
            "side_actions": actions_of(Side.CLINIC),
        },
    )
