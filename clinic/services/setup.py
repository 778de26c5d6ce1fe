"""A clinic setting itself up: dentists' weekly hours, days off, clinic holidays, chairs,
appointment types and the clinic's rules. Each function checks its own rules and raises
ValidationError (keyed by field where one field is wrong) without writing anything.

Existing appointments are never touched here: a day off or a holiday added over booked
appointments stops new bookings that day, and the front desk moves or cancels what is there."""

import re
from collections.abc import Sequence
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from clinic.models import (
    COLOUR_PATTERN,
    AppointmentType,
    Chair,
    ClinicHoliday,
    ClinicSettings,
    DayOff,
    WorkingHours,
)

NAME_MAX = 80
DURATION_MIN, DURATION_MAX = 5, 8 * 60


def _require_dentist(dentist: User) -> None:
    if not dentist.is_active or not dentist.has_role(Role.DENTIST):
        raise ValidationError({"dentist": _("Choose one of the clinic's dentists.")})


def _range_text(starts: time, ends: time) -> str:
    return f"{time_format(starts, 'TIME_FORMAT')}\u2013{time_format(ends, 'TIME_FORMAT')}"


# --- working hours ---------------------------------------------------------------------------


def working_hours_add(*, dentist: User, weekday: int, starts: time, ends: time) -> WorkingHours:
    """One more range of a dentist's weekday. Several ranges a day are how breaks are written
    (08:00-13:00 and 14:00-18:00); ranges that overlap are refused, ranges that touch are not."""
    _require_dentist(dentist)
    if not 0 <= weekday <= 6:
        raise ValidationError({"weekday": _("Choose a day of the week.")})
    if starts >= ends:
        raise ValidationError({"ends": _("The end must be after the start.")})
    with transaction.atomic():
        # One writer per dentist at a time: two overlapping ranges added at once cannot both
        # pass the check below.
        User.objects.select_for_update().filter(pk=dentist.pk).first()
        clash = WorkingHours.objects.filter(
            dentist=dentist, weekday=weekday, starts__lt=ends, ends__gt=starts
        ).first()
        if clash is not None:
            raise ValidationError(
                {
                    "starts": _("This overlaps %(range)s on the same day.")
                    % {"range": _range_text(clash.starts, clash.ends)}
                }
            )
        return WorkingHours.objects.create(
            dentist=dentist, weekday=weekday, starts=starts, ends=ends
        )


def working_hours_remove(*, hours: WorkingHours) -> None:
    hours.delete()


# --- days off and holidays -------------------------------------------------------------------


def day_off_add(*, dentist: User, day: date, reason: str = "") -> DayOff:
    _require_dentist(dentist)
    try:
        with transaction.atomic():
            return DayOff.objects.create(dentist=dentist, date=day, reason=reason.strip()[:120])
    except IntegrityError:
        raise ValidationError(
            {"date": _("%(dentist)s already has this day off.") % {"dentist": dentist.display_name}}
        ) from None


def day_off_remove(*, day_off: DayOff) -> None:
    day_off.delete()


def holiday_add(*, day: date, name: str) -> ClinicHoliday:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the holiday.")})
    try:
        with transaction.atomic():
            return ClinicHoliday.objects.create(date=day, name=name[:120])
    except IntegrityError:
        raise ValidationError({"date": _("This day is already a holiday.")}) from None


def holiday_remove(*, holiday: ClinicHoliday) -> None:
    holiday.delete()


# --- chairs ----------------------------------------------------------------------------------


def chair_add(*, name: str) -> Chair:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the chair.")})
    if len(name) > 60:
        raise ValidationError({"name": _("Use at most 60 characters.")})
    try:
        with transaction.atomic():
            return Chair.objects.create(name=name)
    except IntegrityError:
        raise ValidationError({"name": _("There is already a chair with this name.")}) from None


def chair_set_active(*, chair: Chair, active: bool) -> Chair:
    """Chairs are taken out of use, not deleted: past appointments keep naming them."""
    chair.is_active = active
    chair.save(update_fields=["is_active"])
    return chair


# --- appointment types -----------------------------------------------------------------------


def _check_type(*, name: str, duration_minutes: int, colour: str) -> None:
    if not name:
        raise ValidationError({"name": _("Name the kind of appointment.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("Use at most 80 characters.")})
    if not DURATION_MIN <= duration_minutes <= DURATION_MAX:
        raise ValidationError(
            {
                "duration_minutes": _("A duration is between %(min)d and %(max)d minutes.")
                % {"min": DURATION_MIN, "max": DURATION_MAX}
            }
        )
    if not re.fullmatch(COLOUR_PATTERN, colour):
        raise ValidationError({"colour": _("Write a colour as # and six hex digits: #2f6fdf.")})


def appointment_type_add(
    *, name: str, duration_minutes: int, colour: str, dentists: Sequence[User] = ()
) -> AppointmentType:
    """A kind of appointment. No dentists chosen means every dentist offers it."""
    name, colour = name.strip(), colour.strip().lower()
    _check_type(name=name, duration_minutes=duration_minutes, colour=colour)
    for dentist in dentists:
        _require_dentist(dentist)
    try:
        with transaction.atomic():
            kind = AppointmentType.objects.create(
                name=name, duration_minutes=duration_minutes, colour=colour
            )
            kind.dentists.set(dentists)
            return kind
    except IntegrityError:
        raise ValidationError(
            {"name": _("There is already a kind of appointment with this name.")}
        ) from None


def appointment_type_update(
    *, kind: AppointmentType, colour: str, dentists: Sequence[User], is_active: bool
) -> AppointmentType:
    """Change a kind's colour, its dentists and whether it is offered. The name and duration
    stay: booked appointments were made with them."""
    colour = colour.strip().lower()
    _check_type(name=kind.name, duration_minutes=kind.duration_minutes, colour=colour)
    for dentist in dentists:
        _require_dentist(dentist)
    with transaction.atomic():
        kind.colour, kind.is_active = colour, is_active
        kind.save(update_fields=["colour", "is_active"])
        kind.dentists.set(dentists)
    return kind


# --- the clinic's rules ----------------------------------------------------------------------

# Upper bounds no clinic needs to pass; they keep a typo (1000000 days) out of the slot math.
SETTINGS_LIMITS = {
    "cancellation_cutoff_hours": (0, 24 * 30),
    "reminder_lead_hours": (1, 24 * 14),
    "booking_horizon_days": (1, 730),
    "slot_step_minutes": (5, 120),
}


def clinic_settings_save(
    *,
    cancellation_cutoff_hours: int,
    reminder_lead_hours: int,
    booking_horizon_days: int,
    slot_step_minutes: int,
    allow_patient_sign_up: bool,
) -> ClinicSettings:
    values = {
        "cancellation_cutoff_hours": cancellation_cutoff_hours,
        "reminder_lead_hours": reminder_lead_hours,
        "booking_horizon_days": booking_horizon_days,
        "slot_step_minutes": slot_step_minutes,
    }
    errors = {
        field: _("Give a number from %(min)d to %(max)d.") % {"min": low, "max": high}
        for field, (low, high) in SETTINGS_LIMITS.items()
        if not low <= values[field] <= high
    }
    if errors:
        raise ValidationError(errors)
    rules, _created = ClinicSettings.objects.update_or_create(
        pk=1, defaults={**values, "allow_patient_sign_up": allow_patient_sign_up}
    )
    return rules
