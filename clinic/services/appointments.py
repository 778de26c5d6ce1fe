"""Booking and every change of an appointment's state. Each change builds the appointment's
summary once and passes it to the notification and to the schedule's topic event."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import Role
from clinic.clock import local, when_label
from clinic.errors import SlotTaken
from clinic.models import (
    Appointment,
    AppointmentType,
)
from clinic.notifications import (
    APPOINTMENT_CANCELLED,
    APPOINTMENT_CONFIRMED,
    APPOINTMENT_DECLINED,
    APPOINTMENT_PROPOSAL_ACCEPTED,
    APPOINTMENT_PROPOSAL_DECLINED,
    APPOINTMENT_PROPOSED,
    APPOINTMENT_REQUESTED,
    APPOINTMENT_RESCHEDULED,
    APPOINTMENT_WITHDRAWN,
    appointment_params,
    cancelled_params,
    declined_params,
    proposed_params,
    requested_params,
    rescheduled_params,
)
from clinic.selectors import (
    appointment_summary,
    booking_last_day,
    clinic_settings_get,
)
from clinic.services import waitlist
from clinic.services.calendar_updates import calendar_update_on_commit
from clinic.services.common import locked, publish_change
from clinic.services.slots import bookable_check, front_desk_ids, slot_occupy, time_check
from clinic.states import (
    ACTIONS_BY_NAME,
    VERBS,
    AppointmentState,
    Side,
    require_action,
)
from realtime.services import notify

S = AppointmentState


def _set_state(appointment: Appointment, state: str) -> None:
    appointment.state = state
    appointment.updated_at = timezone.now()
    appointment.save(update_fields=["state", "updated_at"])


# --- flows ---------------------------------------------------------------------------------


def appointment_request(
    *,
    patient: User,
    dentist: User,
    appointment_type: AppointmentType,
    starts_at: datetime,
    note: str = "",
) -> Appointment:
    """A patient asks for a slot; it is held (nobody else can take it) until the clinic
    confirms or declines."""
    if not patient.has_role(Role.PATIENT):
        raise ValidationError(_("Only patients can request appointments."))
    bookable_check(dentist=dentist, appointment_type=appointment_type)
    if timezone.is_aware(starts_at) and local(starts_at).date() > booking_last_day():
        days = clinic_settings_get().booking_horizon_days
        raise ValidationError(
            ngettext(
                "Appointments can be requested up to %(days)d day ahead; choose an earlier day.",
                "Appointments can be requested up to %(days)d days ahead; choose an earlier day.",
                days,
            )
            % {"days": days}
        )
    ends_at = starts_at + timedelta(minutes=appointment_type.duration_minutes)
    time_check(dentist=dentist, starts_at=starts_at, ends_at=ends_at)
    with transaction.atomic():
        appointment = Appointment(
            patient=patient,
            dentist=dentist,
            type=appointment_type,
            starts_at=starts_at,
            ends_at=ends_at,
            state=S.REQUESTED,
            note=note.strip()[:500],
        )
        slot_occupy(appointment)
        waitlist.waitlist_time_booked(appointment=appointment)  # close offers of this time
        summary = appointment_summary(appointment)
        notify(
            recipients=front_desk_ids(appointment),
            kind=APPOINTMENT_REQUESTED,
            params=requested_params(summary),
        )
        publish_change(summary, "requested")
    return appointment


def appointment_confirm(*, appointment: Appointment, by: User) -> Appointment:
    with transaction.atomic():
        appointment = locked(appointment)
        require_action(appointment, by, "confirm")
        if appointment.starts_at <= timezone.now():
            raise ValidationError(
                _("This request is for a time that has passed; decline it or propose another time.")
            )
        _set_state(appointment, S.CONFIRMED)
        summary = appointment_summary(appointment)
        notify(
            recipients=[appointment.patient_id],
            kind=APPOINTMENT_CONFIRMED,
            params=appointment_params(summary),
        )
        publish_change(summary, "confirmed")
    return appointment


def appointment_decline(*, appointment: Appointment, by: User, reason: str = "") -> Appointment:
    with transaction.atomic():
        appointment = locked(appointment)
        require_action(appointment, by, "decline")
        _set_state(appointment, S.DECLINED)
        summary = appointment_summary(appointment)
        notify(
            recipients=[appointment.patient_id],
            kind=APPOINTMENT_DECLINED,
            params=declined_params(summary, reason=reason.strip()[:300]),
        )
        publish_change(summary, "declined")
        waitlist.waitlist_slot_freed(appointment=appointment)  # offer the freed time
    return appointment


def appointment_propose(*, appointment: Appointment, by: User, starts_at: datetime) -> Appointment:
    """The clinic answers a request with another time. Nothing moves yet: the request keeps
    its time (still held) and the patient is asked; `appointment_accept_proposal` moves and
    confirms it, `appointment_reject_proposal` leaves the request open at its own time."""
    with transaction.atomic():
        current = locked(appointment)
        require_action(current, by, "propose")
        ends_at = starts_at + timedelta(minutes=current.type.duration_minutes)
        time_check(dentist=current.dentist, starts_at=starts_at, ends_at=ends_at)
        current.proposed_starts_at, current.proposed_ends_at = starts_at, ends_at
        current.state = S.PROPOSED
        current.updated_at = timezone.now()
        current.save(
            update_fields=["state", "proposed_starts_at", "proposed_ends_at", "updated_at"]
        )
        summary = appointment_summary(current)
        notify(
            recipients=[current.patient_id],
            kind=APPOINTMENT_PROPOSED,
            params=proposed_params(summary, proposed_starts_at=starts_at, proposed_ends_at=ends_at),
        )
        publish_change(summary, "proposed")
    return current


def appointment_accept_proposal(*, appointment: Appointment, by: User) -> Appointment:
    """The patient takes the proposed time: the appointment moves there and is confirmed,
    if the time is still free (the exclusion constraints decide; SlotTaken otherwise, and
    the proposal stands so the patient may decline it)."""
    with transaction.atomic():
        current = locked(appointment)
        require_action(current, by, "accept")
        starts_at, ends_at = current.proposed_starts_at, current.proposed_ends_at
        if starts_at is None or ends_at is None:  # a proposed row always carries its time
            raise ValidationError(_("There is no proposed time to accept."))
        if starts_at <= timezone.now():
            raise ValidationError(
                _("The proposed time has passed; decline it and the clinic will answer again.")
            )
        requested_at = current.starts_at
        current.starts_at, current.ends_at, current.state = starts_at, ends_at, S.CONFIRMED
        try:
            # In a savepoint: a taken slot leaves the proposal as it was.
            with transaction.atomic():
                moved = slot_occupy(current)
        except SlotTaken as exc:
            raise SlotTaken(
                _(
                    "The proposed time, %(when)s, has just been taken; decline it and the clinic "
                    "will propose another."
                )
                % {"when": when_label(starts_at, ends_at)}
            ) from exc
        summary = appointment_summary(moved)
        notify(
            recipients=front_desk_ids(moved),
            kind=APPOINTMENT_PROPOSAL_ACCEPTED,
            params=proposed_params(summary, proposed_starts_at=starts_at, proposed_ends_at=ends_at),
        )
        calendar_update_on_commit(appointment=moved)  # the patient's calendar invitation
        publish_change(summary, "confirmed")
        waitlist.waitlist_time_booked(appointment=moved)
        waitlist.waitlist_slot_freed(appointment=moved, starts_at=requested_at)  # the time it left
    return moved


def appointment_reject_proposal(*, appointment: Appointment, by: User) -> Appointment:
    """The patient keeps the time they asked for: the request is open again."""
    with transaction.atomic():
        current = locked(appointment)
        require_action(current, by, "reject")
        _set_state(current, S.REQUESTED)
        summary = appointment_summary(current)
        assert current.proposed_starts_at and current.proposed_ends_at
        notify(
            recipients=front_desk_ids(current),
            kind=APPOINTMENT_PROPOSAL_DECLINED,
            params=proposed_params(
                summary,
                proposed_starts_at=current.proposed_starts_at,
                proposed_ends_at=current.proposed_ends_at,
            ),
        )
        publish_change(summary, "requested")
    return current


def appointment_withdraw(*, appointment: Appointment, by: User) -> Appointment:
    """The patient takes back a request the clinic has not answered; the slot is free again."""
    with transaction.atomic():
        current = locked(appointment)
        require_action(current, by, "withdraw")
        _set_state(current, S.WITHDRAWN)
        summary = appointment_summary(current)
        notify(
            recipients=front_desk_ids(current),
            kind=APPOINTMENT_WITHDRAWN,
            params=requested_params(summary),
        )
        publish_change(summary, "withdrawn")
        waitlist.waitlist_slot_freed(appointment=current)  # offer the freed time
    return current


def appointment_reschedule(
    *, appointment: Appointment, by: User, starts_at: datetime
) -> Appointment:
    """The clinic moves a confirmed appointment: it ends as `rescheduled` and a new confirmed
    one replaces it, so the patient's history shows both. The patient gets
    `appointment.rescheduled` and may cancel within the usual cut-off if the new time does not
    suit. (A request is answered with a proposal instead: `appointment_propose`.)"""
    with transaction.atomic():
        current = locked(appointment)
        require_action(current, by, "reschedule")
        ends_at = starts_at + timedelta(minutes=current.type.duration_minutes)
        time_check(dentist=current.dentist, starts_at=starts_at, ends_at=ends_at)
        previous_starts_at, previous_ends_at = current.starts_at, current.ends_at
        _set_state(current, S.RESCHEDULED)
        publish_change(appointment_summary(current), "rescheduled")
        moved = slot_occupy(
            Appointment(
                patient=current.patient,
                dentist=current.dentist,
                type=current.type,
                starts_at=starts_at,
                ends_at=ends_at,
                state=S.CONFIRMED,
                rescheduled_from=current,
                note=current.note,
            )
        )
        waitlist.waitlist_time_booked(appointment=moved)
        summary = appointment_summary(moved)
        notify(
            recipients=[moved.patient_id],
            kind=APPOINTMENT_RESCHEDULED,
            params=rescheduled_params(
                summary,
                previous_id=current.pk,
                previous_starts_at=previous_starts_at,
                previous_ends_at=previous_ends_at,
            ),
        )
        publish_change(summary, "rescheduled")
        waitlist.waitlist_slot_freed(appointment=current)  # offer the time it left
    return moved


def appointment_cancel(*, appointment: Appointment, by: User, reason: str = "") -> Appointment:
    """The patient may cancel up to the clinic's cut-off; the clinic at any time."""
    with transaction.atomic():
        appointment = locked(appointment)
        by_patient = require_action(appointment, by, "cancel") == Side.PATIENT
        if by_patient:
            cutoff = clinic_settings_get().cancellation_cutoff_hours
            if timezone.now() > appointment.starts_at - timedelta(hours=cutoff):
                raise ValidationError(
                    ngettext(
                        "Appointments can be cancelled online up to %(hours)d hour before they "
                        "start; please call the clinic.",
                        "Appointments can be cancelled online up to %(hours)d hours before they "
                        "start; please call the clinic.",
                        cutoff,
                    )
                    % {"hours": cutoff}
                )
        _set_state(appointment, S.CANCELLED)
        summary = appointment_summary(appointment)
        notify(
            # The other side is told: the dentist when the patient cancels, else the patient.
            recipients=[appointment.dentist_id if by_patient else appointment.patient_id],
            kind=APPOINTMENT_CANCELLED,
            params=cancelled_params(summary, by_patient=by_patient, reason=reason.strip()[:300]),
        )
        if by_patient:  # the clinic's cancellation reaches the patient's calendar by its copy
            calendar_update_on_commit(appointment=appointment)
        publish_change(summary, "cancelled")
        waitlist.waitlist_slot_freed(appointment=appointment)  # offer the freed time
    return appointment


def _finish(*, appointment: Appointment, by: User, action: str) -> Appointment:
    with transaction.atomic():
        appointment = locked(appointment)
        require_action(appointment, by, action)
        to = ACTIONS_BY_NAME[action].target
        if appointment.starts_at > timezone.now():
            raise ValidationError(
                _("An appointment can be %(change)s only once it has started.")
                % {"change": VERBS[to]}
            )
        _set_state(appointment, to)
        publish_change(appointment_summary(appointment), to)
    return appointment


def appointment_complete(*, appointment: Appointment, by: User) -> Appointment:
    return _finish(appointment=appointment, by=by, action="complete")


def appointment_no_show(*, appointment: Appointment, by: User) -> Appointment:
    return _finish(appointment=appointment, by=by, action="no_show")
