"""Reads of the clinic's schedule. Call inside the tenant's schema."""

from datetime import UTC, date, datetime, timedelta
from typing import Any, TypedDict

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from clinic.clock import at, day_bounds, local, local_today
from clinic.models import (
    Appointment,
    AppointmentMessage,
    AppointmentType,
    Chair,
    ClinicHoliday,
    ClinicSettings,
    DayOff,
    Weekday,
    WorkingHours,
)
from clinic.states import (
    AWAITING_ANSWER,
    HOLDING_STATES,
    OFF_SCHEDULE_STATES,
    AppointmentState,
    actions_by_side,
)


def clinic_settings_get() -> ClinicSettings:
    """The clinic's rules; the defaults until someone saves them."""
    return ClinicSettings.objects.filter(pk=1).first() or ClinicSettings(pk=1)


def dentist_list() -> QuerySet[User]:
    return User.objects.filter(role=Role.DENTIST, is_active=True).order_by("full_name", "email")


def receptionist_ids() -> list[int]:
    return list(
        User.objects.filter(role=Role.RECEPTIONIST, is_active=True).values_list("pk", flat=True)
    )


def appointment_type_list() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(is_active=True)


def offers(*, dentist: User, appointment_type: AppointmentType) -> bool:
    """Whether `dentist` offers the kind: a kind with no dentists chosen is offered by all."""
    chosen = appointment_type.dentists.all()
    return not chosen.exists() or chosen.filter(pk=dentist.pk).exists()


def dentists_offering(*, appointment_type: AppointmentType) -> QuerySet[User]:
    dentists = dentist_list()
    if appointment_type.dentists.exists():
        dentists = dentists.filter(offered_types=appointment_type)
    return dentists


def booking_last_day() -> date:
    """The last local day a patient may book (staff may book any day)."""
    return local_today() + timedelta(days=clinic_settings_get().booking_horizon_days)


def closed_on(*, dentist: User, day: date) -> bool:
    """A clinic holiday or the dentist's day off."""
    return (
        ClinicHoliday.objects.filter(date=day).exists()
        or DayOff.objects.filter(dentist=dentist, date=day).exists()
    )


def _with_relations(qs: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return qs.select_related("patient", "dentist", "chair", "type")


def patient_appointments(*, patient: User) -> QuerySet[Appointment]:
    return _with_relations(Appointment.objects.filter(patient=patient)).order_by("-starts_at")


def patient_upcoming(*, patient: User) -> QuerySet[Appointment]:
    return _with_relations(
        Appointment.objects.filter(
            patient=patient, state__in=HOLDING_STATES, ends_at__gt=timezone.now()
        )
    ).order_by("starts_at")


def dentist_schedule(*, dentist: User, start: date, days: int = 1) -> QuerySet[Appointment]:
    """The dentist's appointments on `days` local days from `start`; declined requests and
    rows replaced by a reschedule are not part of a schedule."""
    begin, end = day_bounds(start, days)
    return _with_relations(
        Appointment.objects.filter(
            dentist=dentist, starts_at__gte=begin, starts_at__lt=end
        ).exclude(state__in=OFF_SCHEDULE_STATES)
    ).order_by("starts_at", "pk")


def pending_requests(*, dentist: User | None = None) -> QuerySet[Appointment]:
    qs = Appointment.objects.filter(state=AWAITING_ANSWER, starts_at__gt=timezone.now())
    if dentist is not None:
        qs = qs.filter(dentist=dentist)
    return _with_relations(qs).order_by("starts_at")


def appointment_messages(*, appointment: Appointment) -> QuerySet[AppointmentMessage]:
    return AppointmentMessage.objects.filter(appointment=appointment).select_related("author")


def working_intervals(*, dentist: User, day: date) -> list[tuple[datetime, datetime]]:
    """The dentist's working intervals on a local day, in UTC; none on a holiday or day off.

    In UTC because arithmetic and comparison on datetimes sharing one zone object run on the
    wall clock: stepping through the day the clocks change would invent or lose an hour. A
    wall time the change skips (02:30 when clocks jump from 02:00 to 03:00) counts from the
    moment the clocks show the next real time."""
    if closed_on(dentist=dentist, day=day):
        return []
    return [
        (at(day, hours.starts).astimezone(UTC), at(day, hours.ends).astimezone(UTC))
        for hours in WorkingHours.objects.filter(dentist=dentist, weekday=day.weekday())
    ]


def _busy(*, starts: datetime, ends: datetime) -> list[tuple[int, int, datetime, datetime]]:
    return list(
        Appointment.objects.filter(
            state__in=HOLDING_STATES, starts_at__lt=ends, ends_at__gt=starts
        ).values_list("dentist_id", "chair_id", "starts_at", "ends_at")
    )


def free_slots(
    *,
    dentist: User,
    appointment_type: AppointmentType,
    day: date,
    last_day: date | None = None,
) -> list[datetime]:
    """Start times on `day` when the dentist (who must offer the kind) and at least one chair
    are free for the whole appointment, stepped by the clinic's slot step, in the future only
    and not after `last_day` (a patient's booking horizon) when given."""
    if last_day is not None and day > last_day:
        return []
    if not offers(dentist=dentist, appointment_type=appointment_type):
        return []
    intervals = working_intervals(dentist=dentist, day=day)
    if not intervals:
        return []
    chairs = set(Chair.objects.filter(is_active=True).values_list("pk", flat=True))
    if not chairs:
        return []
    step = timedelta(minutes=clinic_settings_get().slot_step_minutes)
    length = timedelta(minutes=appointment_type.duration_minutes)
    begin, end = day_bounds(day)
    busy = _busy(starts=begin, ends=end)
    now = timezone.now()
    slots: list[datetime] = []
    for open_at, close_at in intervals:
        start = open_at
        while start + length <= close_at:
            stop = start + length
            overlapping = [b for b in busy if b[2] < stop and b[3] > start]
            dentist_free = all(b[0] != dentist.pk for b in overlapping)
            chair_free = bool(chairs - {b[1] for b in overlapping})
            if start > now and dentist_free and chair_free:
                slots.append(start)
            start += step
    return slots


class AppointmentSummary(TypedDict):
    """What a page needs to draw or update one appointment row (topic events, JSON reads).

    No text in a language: one summary reaches every watcher of a schedule, who may read
    different languages, so the page writes the state's label and the times itself (its
    state labels come with the page; times through window.aviso.format)."""

    id: int
    state: str
    starts_at: str
    ends_at: str
    day: str  # the local date, ISO: which day section of the page the row belongs to
    dentist_id: int
    dentist_name: str
    patient_name: str
    type_name: str
    chair_name: str
    url: str
    # The action names each side may take now (clinic.states.actions_by_side): one summary
    # reaches every watcher of a schedule, so it carries both sides and the page applies
    # its viewer's.
    actions: dict[str, list[str]]
    on_schedule: bool  # part of the dentist's day (not declined, not replaced)
    awaiting_answer: bool  # a request the clinic has not answered


def appointment_url(pk: int) -> str:
    return reverse("clinic:appointment", kwargs={"pk": pk})


def appointment_summary(appointment: Appointment) -> AppointmentSummary:
    """Build it once per change and pass it on (notification parameters, topic event)."""
    return {
        "id": appointment.pk,
        "state": appointment.state,
        "starts_at": appointment.starts_at.isoformat(),
        "ends_at": appointment.ends_at.isoformat(),
        "day": local(appointment.starts_at).date().isoformat(),
        "dentist_id": appointment.dentist_id,
        "dentist_name": appointment.dentist.display_name,
        "patient_name": appointment.patient.display_name,
        "type_name": appointment.type.name,
        "chair_name": appointment.chair.name,
        "url": appointment_url(appointment.pk),
        "actions": actions_by_side(appointment.state),
        "on_schedule": appointment.state not in OFF_SCHEDULE_STATES,
        "awaiting_answer": appointment.state == AWAITING_ANSWER,
    }


def staff_overview(*, user: User) -> dict[str, Any]:
    today_start, today_end = day_bounds(local(timezone.now()).date())
    holding = Q(state__in=[*HOLDING_STATES, AppointmentState.COMPLETED, AppointmentState.NO_SHOW])
    today = Appointment.objects.filter(holding, starts_at__gte=today_start, starts_at__lt=today_end)
    requests = pending_requests()
    if user.role == Role.DENTIST:
        today = today.filter(dentist=user)
        requests = requests.filter(dentist=user)
    return {
        "today": _with_relations(today).order_by("starts_at"),
        "pending_count": requests.count(),
        "dentists": dentist_list() if user.role != Role.DENTIST else [user],
    }


# --- setting the clinic up -------------------------------------------------------------------

SETUP_STEPS = ("dentists", "hours", "chairs", "types", "settings", "first_booking")


def setup_progress() -> dict[str, bool]:
    """Which steps of a new clinic's checklist are done, in SETUP_STEPS order."""
    dentists = dentist_list()
    return {
        "dentists": dentists.exists(),
        "hours": WorkingHours.objects.filter(dentist__in=dentists).exists(),
        "chairs": Chair.objects.filter(is_active=True).exists(),
        "types": appointment_type_list().exists(),
        "settings": ClinicSettings.objects.filter(pk=1).exists(),
        "first_booking": Appointment.objects.exists(),
    }


def weekly_hours(*, dentist: User) -> list[tuple[int, str, list[WorkingHours]]]:
    """The dentist's week: each weekday's number, name and ranges (none = not working)."""
    rows = list(WorkingHours.objects.filter(dentist=dentist))
    return [
        (day.value, str(day.label), [h for h in rows if h.weekday == day.value]) for day in Weekday
    ]


def days_off_upcoming(*, dentist: User | None = None) -> QuerySet[DayOff]:
    qs = DayOff.objects.filter(date__gte=local_today()).select_related("dentist")
    return qs.filter(dentist=dentist) if dentist is not None else qs


def holidays_upcoming() -> QuerySet[ClinicHoliday]:
    return ClinicHoliday.objects.filter(date__gte=local_today())


def chair_list() -> QuerySet[Chair]:
    """Every chair, in use or not (the setup page shows both)."""
    return Chair.objects.order_by("-is_active", "name")


def appointment_type_setup_list() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.prefetch_related("dentists").order_by("-is_active", "name")
