"""The pages a clinic sets itself up with (issue #14): a checklist overview, then dentists'
weekly hours, days off, holidays, chairs, kinds of appointment and the clinic's rules. Who may
open which is clinic.access.SETUP_ROLES; the rules are clinic.services.setup's. A page posts
to itself: an add form, or `remove` with a row's id; a refusal re-renders the page (400)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import request_user, role_required
from accounts.models import User
from clinic import selectors
from clinic.access import SETUP_ROLES, access_hours, may_setup
from clinic.clock import clinic_tz
from clinic.forms import (
    ChairForm,
    DayOffForm,
    HolidayForm,
    HoursForm,
    RemoveForm,
    SettingsForm,
    TypeEditForm,
    TypeForm,
)
from clinic.models import AppointmentType, Chair, ClinicHoliday, DayOff, WorkingHours
from clinic.services import setup as services
from config.forms import input_problems


def render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Dates and times in the clinic's time zone, like every clinic page."""
    return django_render(request, template, {"clinic_tz": clinic_tz(), **context}, status=status)


def _refused(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on the form, by field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _dentists(ids: list[int]) -> list[User]:
    return list(selectors.dentist_list().filter(pk__in=ids))


def _page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    form: forms.Form,
    write: Callable[[], Any],
    done: str,
) -> HttpResponse:
    """A POST of `form`: `write` on valid input, then back to the page; else the page with
    the form's errors (400)."""
    if form.is_valid():
        try:
            write()
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, done)
            return redirect(request.get_full_path())
    return render(request, template, {**context, "form": form}, status=400)


def _removed(
    request: HttpRequest, find: Callable[[int], Any], remove: Callable[[Any], Any]
) -> HttpResponse:
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(input_problems(form)))
        return redirect(request.get_full_path())
    found = find(form.cleaned_data["remove"])
    if found is None:
        raise Http404(_("That row is no longer there."))
    remove(found)
    messages.success(request, _("Removed."))
    return redirect(request.get_full_path())


# --- the overview ----------------------------------------------------------------------------


def checklist(user: User) -> list[dict[str, Any]]:
    """The new clinic's steps in order, each with its page (for those `user` may open)."""
    progress = selectors.setup_progress()
    labels = {
        "dentists": (_("Dentists"), _("Add the clinic's dentists."), "clinic:setup_dentists"),
        "hours": (
            _("Working hours"),
            _("Give each dentist their weekly hours, breaks and days off."),
            "clinic:setup_dentists",
        ),
        "chairs": (
            _("Chairs"),
            _("Add the chairs patients are treated in."),
            "clinic:setup_chairs",
        ),
        "types": (
            _("Kinds of appointment"),
            _("Name what patients can book, how long it takes and who offers it."),
            "clinic:setup_types",
        ),
        "settings": (
            _("Clinic rules"),
            _("Cancellation cut-off, booking horizon, reminders and patient sign-up."),
            "clinic:setup_settings",
        ),
        "first_booking": (
            _("First booking"),
            _("A patient books on the booking page; confirm the request."),
            "clinic:requests",
        ),
    }
    steps = []
    for key in selectors.SETUP_STEPS:
        title, hint, url_name = labels[key]
        page = url_name.split(":")[1]
        may_open = page not in SETUP_ROLES or may_setup(user, page)
        steps.append(
            {
                "key": key,
                "title": title,
                "hint": hint,
                "done": progress[key],
                "url": reverse(url_name) if may_open else "",
            }
        )
    return steps


@role_required(*SETUP_ROLES["setup"])
def setup(request: HttpRequest) -> HttpResponse:
    steps = checklist(request_user(request))
    return render(
        request,
        "clinic/setup/overview.html",
        {"steps": steps, "complete": all(s["done"] for s in steps)},
    )


@role_required(*SETUP_ROLES["setup_dentists"])
def setup_dentists(request: HttpRequest) -> HttpResponse:
    dentists = []
    for dentist in selectors.dentist_list():
        week = [(name, ranges) for _day, name, ranges in selectors.weekly_hours(dentist=dentist)]
        dentists.append({"dentist": dentist, "week": [(n, r) for n, r in week if r]})
    return render(request, "clinic/setup/dentists.html", {"dentists": dentists})


# --- hours, days off, holidays ---------------------------------------------------------------


@role_required(*SETUP_ROLES["setup_hours"])
def setup_hours(request: HttpRequest, dentist_id: int) -> HttpResponse:
    user = request_user(request)
    dentist, may_edit = access_hours(user=user, dentist_id=dentist_id)
    template = "clinic/setup/hours.html"

    def context() -> dict[str, Any]:
        return {
            "dentist": dentist,
            "may_edit": may_edit,
            "week": selectors.weekly_hours(dentist=dentist),
            "days_off": selectors.days_off_upcoming(dentist=dentist),
        }

    if request.method != "POST":
        return render(request, template, {**context(), "form": HoursForm()})
    if not may_edit:
        raise Http404(_("No such dentist."))
    if "remove" in request.POST:
        return _removed(
            request,
            lambda pk: WorkingHours.objects.filter(dentist=dentist, pk=pk).first(),
            lambda hours: services.working_hours_remove(hours=hours),
        )
    form = HoursForm(request.POST)
    return _page(
        request,
        template,
        context(),
        form=form,
        write=lambda: services.working_hours_add(dentist=dentist, **form.cleaned_data),
        done=_("Hours added."),
    )


@role_required(*SETUP_ROLES["setup_days_off"])
def setup_days_off(request: HttpRequest) -> HttpResponse:
    template = "clinic/setup/days_off.html"
    context = {
        "days_off": selectors.days_off_upcoming(),
        "has_dentists": selectors.dentist_list().exists(),
    }
    if request.method != "POST":
        return render(request, template, {**context, "form": DayOffForm()})
    if "remove" in request.POST:
        return _removed(
            request,
            lambda pk: DayOff.objects.filter(pk=pk).first(),
            lambda day_off: services.day_off_remove(day_off=day_off),
        )
    form = DayOffForm(request.POST)

    def write() -> None:
        dentist = selectors.dentist_list().filter(pk=form.cleaned_data["dentist"]).first()
        if dentist is None:  # left the clinic since the page was drawn
            raise ValidationError({"dentist": _("Choose one of the clinic's dentists.")})
        services.day_off_add(
            dentist=dentist, day=form.cleaned_data["date"], reason=form.cleaned_data["reason"]
        )

    return _page(request, template, context, form=form, write=write, done=_("Day off added."))


@role_required(*SETUP_ROLES["setup_holidays"])
def setup_holidays(request: HttpRequest) -> HttpResponse:
    template = "clinic/setup/holidays.html"
    context = {"holidays": selectors.holidays_upcoming()}
    if request.method != "POST":
        return render(request, template, {**context, "form": HolidayForm()})
    if "remove" in request.POST:
        return _removed(
            request,
            lambda pk: ClinicHoliday.objects.filter(pk=pk).first(),
            lambda holiday: services.holiday_remove(holiday=holiday),
        )
    form = HolidayForm(request.POST)
    return _page(
        request,
        template,
        context,
        form=form,
        write=lambda: services.holiday_add(
            day=form.cleaned_data["date"], name=form.cleaned_data["name"]
        ),
        done=_("Holiday added."),
    )


# --- chairs, kinds of appointment, rules -----------------------------------------------------


@role_required(*SETUP_ROLES["setup_chairs"])
def setup_chairs(request: HttpRequest) -> HttpResponse:
    template = "clinic/setup/chairs.html"
    context = {"chairs": selectors.chair_list()}
    if request.method != "POST":
        return render(request, template, {**context, "form": ChairForm()})
    if "remove" in request.POST:
        # A chair is taken out of use (or back), never deleted: appointments name it.
        return _removed(
            request,
            lambda pk: Chair.objects.filter(pk=pk).first(),
            lambda chair: services.chair_set_active(chair=chair, active=not chair.is_active),
        )
    form = ChairForm(request.POST)
    return _page(
        request,
        template,
        context,
        form=form,
        write=lambda: services.chair_add(name=form.cleaned_data["name"]),
        done=_("Chair added."),
    )


@role_required(*SETUP_ROLES["setup_types"])
def setup_types(request: HttpRequest) -> HttpResponse:
    template = "clinic/setup/types.html"
    context = {
        "kinds": selectors.appointment_type_setup_list(),
        "all_dentists": selectors.dentist_list(),
    }
    if request.method != "POST":
        return render(request, template, {**context, "form": TypeForm()})
    if "kind" in request.POST:
        edit = TypeEditForm(request.POST)
        if not edit.is_valid():
            messages.error(request, " ".join(input_problems(edit)))
            return render(request, template, {**context, "form": TypeForm()}, status=400)
        kind = AppointmentType.objects.filter(pk=edit.cleaned_data["kind"]).first()
        if kind is None:
            raise Http404(_("No such kind of appointment."))
        try:
            services.appointment_type_update(
                kind=kind,
                colour=edit.cleaned_data["colour"],
                dentists=_dentists(edit.cleaned_data["dentists"]),
                is_active=edit.cleaned_data["is_active"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return render(request, template, {**context, "form": TypeForm()}, status=400)
        messages.success(request, _("Saved."))
        return redirect(request.get_full_path())
    form = TypeForm(request.POST)
    return _page(
        request,
        template,
        context,
        form=form,
        write=lambda: services.appointment_type_add(
            name=form.cleaned_data["name"],
            duration_minutes=form.cleaned_data["duration_minutes"],
            colour=form.cleaned_data["colour"],
            dentists=_dentists(form.cleaned_data["dentists"]),
        ),
        done=_("Kind of appointment added."),
    )


@role_required(*SETUP_ROLES["setup_settings"])
def setup_settings(request: HttpRequest) -> HttpResponse:
    template = "clinic/setup/settings.html"
    if request.method != "POST":
        rules = selectors.clinic_settings_get()
        initial = {name: getattr(rules, name) for name in SettingsForm.base_fields}
        return render(request, template, {"form": SettingsForm(initial=initial)})
    form = SettingsForm(request.POST)
    return _page(
        request,
        template,
        {},
        form=form,
        write=lambda: services.clinic_settings_save(**form.cleaned_data),
        done=_("Settings saved."),
    )
