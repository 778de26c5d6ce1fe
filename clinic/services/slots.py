"""Taking a dentist's time, shared by every way an appointment is made or moved (a request,
a reschedule, an accepted proposal, an accepted waitlist offer): the checks before, and the
database's exclusion constraints, which have the last word (clinic.services.appointments and
clinic.services.waitlist both call here, neither calls the other's internals)."""

import random
import time
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from clinic.clock import local, when_label
from clinic.errors import SlotTaken
from clinic.models import CHAIR_OVERLAP, DENTIST_OVERLAP, Appointment, AppointmentType, Chair
from clinic.selectors import offers, receptionist_ids, working_intervals
from clinic.states import HOLDING_STATES


def bookable_check(*, dentist: User, appointment_type: AppointmentType) -> None:
    """The dentist is one of the clinic's, still working here, and offers that kind of
    appointment, which the clinic still offers."""
    if not dentist.has_role(Role.DENTIST) or not dentist.is_active:
        raise ValidationError(_("Choose one of the clinic's dentists."))
    if not appointment_type.is_active:
        raise ValidationError(_("This kind of appointment is no longer offered."))
    if not offers(dentist=dentist, appointment_type=appointment_type):
        raise ValidationError(
            _("%(dentist)s does not offer %(kind)s; choose another dentist.")
            % {"dentist": dentist.display_name, "kind": appointment_type.name}
        )


def time_check(*, dentist: User, starts_at: datetime, ends_at: datetime) -> None:
    """The time is still to come and lies within one of the dentist's working hours of that
    day, in the clinic's time zone."""
    if timezone.is_naive(starts_at):
        raise ValidationError(_("The start time must include a time zone."))
    if starts_at <= timezone.now():
        raise ValidationError(_("That time has already passed; choose a time in the future."))
    day = local(starts_at).date()
    if local(ends_at).date() != day or not any(
        open_at <= starts_at and ends_at <= close_at
        for open_at, close_at in working_intervals(dentist=dentist, day=day)
    ):
        raise ValidationError(
            _("%(dentist)s does not work at %(when)s; choose one of the free slots shown.")
            % {"dentist": dentist.display_name, "when": when_label(starts_at, ends_at)}
        )


def _violated(exc: IntegrityError) -> str | None:
    """Which overlap constraint an insert or update broke (None if it was something else)."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) != "23P01":  # exclusion_violation
        return None
    name = getattr(getattr(cause, "diag", None), "constraint_name", None) or ""
    if name == DENTIST_OVERLAP or "dentist" in name:
        return DENTIST_OVERLAP
    if name == CHAIR_OVERLAP or "chair" in name:
        return CHAIR_OVERLAP
    return name


# Eight patients asking for one slot at once deadlocked one of them four times in a row
# (clean-clone CI, 2026-12-04): retried at once, the same racers met again. So more tries, each
# after a short random pause that lets the others commit or give up first.
DEADLOCK_RETRIES = 8
DEADLOCK_PAUSE_S = 0.02


def _save_unless_deadlocked(appointment: Appointment) -> None:
    """Save in a savepoint. Two bookings inserted at the same moment for the same chair can
    each wait on the other's row while checking an exclusion constraint, and PostgreSQL then
    aborts one with "deadlock detected". The aborted one's row is gone with its savepoint, so
    saving again waits for the winner and meets the constraint (IntegrityError) like any loser."""
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            with transaction.atomic():
                appointment.save()
            return
        except OperationalError as exc:
            deadlocked = getattr(exc.__cause__, "sqlstate", None) == "40P01"
            if not deadlocked or attempt == DEADLOCK_RETRIES:
                raise
            time.sleep(random.uniform(0.5, 1.5) * DEADLOCK_PAUSE_S * (attempt + 1))


def _dentist_taken(appointment: Appointment) -> SlotTaken:
    return SlotTaken(
        _("%(dentist)s is already booked at %(when)s; choose another time.")
        % {
            "dentist": appointment.dentist.display_name,
            "when": when_label(appointment.starts_at, appointment.ends_at),
        }
    )


def slot_occupy(appointment: Appointment) -> Appointment:
    """Save `appointment` (new or moved) in a holding state on the first chair that is free.

    A Python look-ahead skips chairs visibly busy; the exclusion constraints decide, so two
    concurrent bookings can never both win: the loser gets SlotTaken (or tries the next
    chair if only the chair clashed)."""
    overlap = Appointment.objects.filter(
        state__in=HOLDING_STATES,
        starts_at__lt=appointment.ends_at,
        ends_at__gt=appointment.starts_at,
    ).exclude(pk=appointment.pk)
    if overlap.filter(dentist_id=appointment.dentist_id).exists():
        raise _dentist_taken(appointment)
    busy = set(overlap.values_list("chair_id", flat=True))
    chairs = [c for c in Chair.objects.filter(is_active=True).order_by("pk") if c.pk not in busy]
    if not Chair.objects.filter(is_active=True).exists():
        raise ValidationError(_("The clinic has no chairs set up yet."))
    appointment.updated_at = timezone.now()
    for chair in chairs:
        appointment.chair = chair
        try:
            _save_unless_deadlocked(appointment)
            return appointment
        except IntegrityError as exc:
            violated = _violated(exc)
            if violated == DENTIST_OVERLAP:
                raise _dentist_taken(appointment) from exc
            if violated != CHAIR_OVERLAP:
                raise
    raise SlotTaken(
        _("Every chair is in use at %(when)s; choose another time.")
        % {"when": when_label(appointment.starts_at, appointment.ends_at)}
    )


def front_desk_ids(appointment: Appointment) -> list[int]:
    """Who answers a request: its dentist and every active receptionist."""
    return [
        appointment.dentist_id,
        *(pk for pk in receptionist_ids() if pk != appointment.dentist_id),
    ]
