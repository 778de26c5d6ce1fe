"""Reads of the waitlist, and its matching rule: which waiting patients a freed time suits.

A time suits an entry when it is the entry's dentist, falls on one of its weekdays and starts
in one of its parts of the day (both in the clinic's time zone, whatever zone the server or
the reader is in), on or before the entry's last day, and the entry's kind of appointment
fits there (the dentist offers it, works the whole length, and a chair is free)."""

from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from accounts.models import User
from clinic.clock import local, local_today
from clinic.models import (
    Appointment,
    AppointmentType,
    Chair,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistPeriod,
)
from clinic.selectors import offers, working_intervals
from clinic.states import HOLDING_STATES

# Each part of the day: the local start times it holds, [from, to). Together the whole day.
PERIOD_HOURS: dict[str, tuple[time, time | None]] = {
    WaitlistPeriod.MORNING: (time(0), time(12)),
    WaitlistPeriod.AFTERNOON: (time(12), time(17)),
    WaitlistPeriod.EVENING: (time(17), None),
}

# How long an offer stays open (never past the offered time itself).
OFFER_OPEN_FOR = timedelta(hours=2)

# How far ahead a patient may wait by default, when the form leaves "until" empty.
DEFAULT_WAIT = timedelta(days=30)


def period_of(moment: time) -> str:
    for period, (begin, end) in PERIOD_HOURS.items():
        if begin <= moment and (end is None or moment < end):
            return period
    raise AssertionError(f"{moment} is in no part of the day")  # the periods cover the day


def period_label(period: str) -> str:
    """A part of the day with its hours, as the reader's language writes times ("Morning
    (before 12:00)"), for the join form and the lists."""
    begin, end = PERIOD_HOURS[period]
    name = WaitlistPeriod(period).label
    if end is None:
        return _("%(name)s (from %(begin)s)") % {"name": name, "begin": _hm(begin)}
    if begin == time(0):
        return _("%(name)s (before %(end)s)") % {"name": name, "end": _hm(end)}
    return _("%(name)s (%(begin)s to %(end)s)") % {
        "name": name,
        "begin": _hm(begin),
        "end": _hm(end),
    }


def _hm(moment: time) -> str:
    return time_format(moment, "TIME_FORMAT")


def entry_matches_time(entry: WaitlistEntry, *, starts_at: datetime) -> bool:
    """The entry's days, parts of the day and last day, read in the clinic's time zone."""
    moment = local(starts_at)
    return (
        moment.date() <= entry.until
        and moment.weekday() in entry.weekdays
        and period_of(moment.time()) in entry.periods
    )


def slot_fits(*, dentist: User, appointment_type: AppointmentType, starts_at: datetime) -> bool:
    """Whether an appointment of `appointment_type` could be booked with `dentist` at
    `starts_at` now: in the future, inside one working interval, the dentist free and some
    active chair free for its whole length (the same rules the booking page's slots follow)."""
    ends_at = starts_at + timedelta(minutes=appointment_type.duration_minutes)
    if starts_at <= timezone.now() or not appointment_type.is_active:
        return False
    if not offers(dentist=dentist, appointment_type=appointment_type):
        return False
    day = local(starts_at).date()
    if not any(
        begin <= starts_at and ends_at <= end
        for begin, end in working_intervals(dentist=dentist, day=day)
    ):
        return False
    overlapping = Appointment.objects.filter(
        state__in=HOLDING_STATES, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if overlapping.filter(dentist=dentist).exists():
        return False
    busy_chairs = overlapping.values_list("chair_id", flat=True)
    return Chair.objects.filter(is_active=True).exclude(pk__in=busy_chairs).exists()


def waiting_entries() -> QuerySet[WaitlistEntry]:
    """Entries still waiting whose last day has not passed (older ones are ignored)."""
    return WaitlistEntry.objects.filter(
        state=WaitlistEntry.State.WAITING, until__gte=local_today()
    ).select_related("patient", "dentist", "type")


def waitlist_matches(
    *, dentist: User, starts_at: datetime, exclude_patient_id: int | None = None
) -> list[WaitlistEntry]:
    """The waiting entries a time freed in `dentist`'s day suits, oldest first (each patient
    once: their oldest matching entry), the patient who freed it left out."""
    candidates = waiting_entries().filter(
        dentist=dentist, patient__is_active=True, until__gte=local(starts_at).date()
    )
    if exclude_patient_id is not None:
        candidates = candidates.exclude(patient_id=exclude_patient_id)
    found: dict[int, WaitlistEntry] = {}
    for entry in candidates.order_by("created_at", "pk"):
        if entry.patient_id in found or not entry_matches_time(entry, starts_at=starts_at):
            continue
        if slot_fits(dentist=dentist, appointment_type=entry.type, starts_at=starts_at):
            found[entry.patient_id] = entry
    return list(found.values())


def patient_waitlist(*, patient: User) -> QuerySet[WaitlistEntry]:
    return waiting_entries().filter(patient=patient).order_by("created_at", "pk")


def patient_offers(*, patient: User) -> QuerySet[WaitlistOffer]:
    """The patient's offers of the last days (open ones first), to answer or to look back at."""
    since = timezone.now() - timedelta(days=7)
    return (
        WaitlistOffer.objects.filter(patient=patient, created_at__gte=since)
        .select_related("entry__dentist", "entry__type", "slot")
        .order_by("-created_at", "-pk")
    )


def dentist_waitlist(*, dentist: User) -> QuerySet[WaitlistEntry]:
    """Who waits for `dentist`, oldest first (the order offers go out in)."""
    return waiting_entries().filter(dentist=dentist).order_by("created_at", "pk")


def open_offer_count(*, entry: WaitlistEntry) -> int:
    return entry.offers.filter(
        state=WaitlistOffer.State.OPEN, expires_at__gt=timezone.now()
    ).count()
