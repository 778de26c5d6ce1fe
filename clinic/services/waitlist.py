"""The waitlist: joining and leaving it, offering a freed time to the waiting patients it
suits, and accepting an offer.

Who gets a freed time is decided by PostgreSQL, not by Python: an accept locks the freed
slot's row (WaitlistSlot) before anything else, at most one offer per slot can be stored as
accepted (constraint `waitlist_slot_one_winner`), and the appointment it books meets the
exclusion constraints like any booking. Two patients accepting at the same moment take turns
on the slot's lock; the second finds it taken and gets OfferTaken ("already taken").

An accepted offer becomes a **confirmed** appointment: the offer was the clinic's own (a time
of its dentist's day, offered on its behalf), as when a patient accepts a time the clinic
proposed; the dentist and the front desk are told (`waitlist.filled`). The patient's entry is
then booked (off the waitlist), and the other patients' offers are closed as taken and they
are told at once (`waitlist.offer_taken`, which their open offer page follows live)."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from clinic.clock import local_today, when_label
from clinic.errors import OfferTaken, SlotTaken
from clinic.models import (
    Appointment,
    AppointmentState,
    AppointmentType,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistPeriod,
    WaitlistSlot,
    Weekday,
)
from clinic.notifications import (
    WAITLIST_FILLED,
    WAITLIST_OFFER_TAKEN,
    WAITLIST_OFFERED,
    requested_params,
    waitlist_offer_params,
    waitlist_taken_params,
)
from clinic.selectors import appointment_summary, booking_last_day
from clinic.selectors_waitlist import OFFER_OPEN_FOR, waitlist_matches
from clinic.services.common import publish_change
from clinic.services.slots import bookable_check, front_desk_ids, slot_occupy
from realtime.services import notify

Entry = WaitlistEntry.State
Offer = WaitlistOffer.State


def _already_waiting(dentist: User, appointment_type: AppointmentType) -> ValidationError:
    return ValidationError(
        _("You are already on the waitlist for %(kind)s with %(dentist)s.")
        % {"kind": appointment_type.name, "dentist": dentist.display_name}
    )


def waitlist_join(
    *,
    patient: User,
    dentist: User,
    appointment_type: AppointmentType,
    weekdays: list[int],
    periods: list[str],
    until: date,
) -> WaitlistEntry:
    """The patient waits for a time with `dentist` for `appointment_type` on `weekdays`
    (date.weekday() numbers) in `periods` (WaitlistPeriod), up to and including `until`."""
    if not patient.has_role(Role.PATIENT):
        raise ValidationError(_("Only patients can join the waitlist."))
    bookable_check(dentist=dentist, appointment_type=appointment_type)
    days = sorted(set(weekdays))
    parts = [p for p in WaitlistPeriod.values if p in set(periods)]
    if not days or any(d not in Weekday.values for d in days):
        raise ValidationError(_("Choose at least one day of the week."))
    if not parts or len(parts) != len(set(periods)):
        raise ValidationError(_("Choose at least one time of day."))
    if until < local_today():
        raise ValidationError(_("Choose a last day that is today or later."))
    last_day = booking_last_day()
    if until > last_day:
        raise ValidationError(
            _("You can wait up to %(day)s at most; choose an earlier last day.")
            % {"day": date_format(last_day, "SHORT_DATE_FORMAT")}
        )
    if WaitlistEntry.objects.filter(
        patient=patient, dentist=dentist, type=appointment_type, state=Entry.WAITING
    ).exists():
        raise _already_waiting(dentist, appointment_type)
    entry = WaitlistEntry(
        patient=patient,
        dentist=dentist,
        type=appointment_type,
        weekdays=days,
        periods=parts,
        until=until,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:  # joined twice at the same moment: the constraint decides
        raise _already_waiting(dentist, appointment_type) from exc
    return entry


def waitlist_leave(*, entry: WaitlistEntry, by: User) -> WaitlistEntry:
    """The patient stops waiting; their open offers close with the entry."""
    if entry.patient_id != by.pk:
        raise ValidationError(_("This is not your waitlist entry."))
    with transaction.atomic():
        # Offers before the entry, the order an accept locks them in.
        WaitlistOffer.objects.filter(entry=entry, state=Offer.OPEN).update(
            state=Offer.WITHDRAWN, answered_at=timezone.now()
        )
        updated = WaitlistEntry.objects.filter(pk=entry.pk, state=Entry.WAITING).update(
            state=Entry.LEFT, updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError(_("You are no longer on this waitlist."))
    entry.refresh_from_db()
    return entry


def waitlist_slot_freed(
    *, appointment: Appointment, starts_at: datetime | None = None
) -> WaitlistSlot | None:
    """`appointment` has just stopped holding its time (cancelled, declined, withdrawn,
    moved; `starts_at` when it moved away from there): offer that time to every waiting
    patient it suits. Call inside the transaction that freed it, so the offers and their
    notifications commit with the change."""
    freed_at = starts_at or appointment.starts_at
    entries = waitlist_matches(
        dentist=appointment.dentist,
        starts_at=freed_at,
        exclude_patient_id=appointment.patient_id,
    )
    if not entries:
        return None
    now = timezone.now()
    slot = WaitlistSlot.objects.create(
        dentist=appointment.dentist, starts_at=freed_at, freed_by=appointment
    )
    for entry in entries:
        offer = WaitlistOffer.objects.create(
            slot=slot,
            entry=entry,
            patient_id=entry.patient_id,
            starts_at=freed_at,
            ends_at=freed_at + timedelta(minutes=entry.type.duration_minutes),
            expires_at=min(now + OFFER_OPEN_FOR, freed_at),
            created_at=now,
        )
        notify(
            recipients=[entry.patient_id],
            kind=WAITLIST_OFFERED,
            params=waitlist_offer_params(offer),
        )
    return slot


def _close_slot(slot: WaitlistSlot, *, taken_by: Appointment | None) -> None:
    """The slot is gone: every offer still open is taken, and their patients are told."""
    losers = list(
        WaitlistOffer.objects.filter(slot=slot, state=Offer.OPEN).values_list(
            "patient_id", flat=True
        )
    )
    WaitlistOffer.objects.filter(slot=slot, state=Offer.OPEN).update(
        state=Offer.TAKEN, answered_at=timezone.now()
    )
    slot.is_open, slot.taken_by = False, taken_by
    slot.save(update_fields=["is_open", "taken_by"])
    if losers:
        notify(recipients=losers, kind=WAITLIST_OFFER_TAKEN, params=waitlist_taken_params(slot))


def waitlist_time_booked(*, appointment: Appointment) -> None:
    """`appointment` now holds its time: the open offers of its dentist that overlap it can
    no longer be accepted, so they close as taken and their patients are told at once (not
    when they try). Offers an accept is answering right now (locked) are skipped rather than
    waited for: that accept meets the exclusion constraints and closes its slot itself."""
    clashing = list(
        WaitlistOffer.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            state=Offer.OPEN,
            slot__dentist_id=appointment.dentist_id,
            starts_at__lt=appointment.ends_at,
            ends_at__gt=appointment.starts_at,
        )
        .order_by("pk")
    )
    if not clashing:
        return
    WaitlistOffer.objects.filter(pk__in=[o.pk for o in clashing]).update(
        state=Offer.TAKEN, answered_at=timezone.now()
    )
    by_slot: dict[int, list[int]] = {}
    for offer in clashing:
        by_slot.setdefault(offer.slot_id, []).append(offer.patient_id)
    slots = WaitlistSlot.objects.select_related("dentist").in_bulk(list(by_slot))
    for slot_id, patients in by_slot.items():
        slot = slots[slot_id]
        if not WaitlistOffer.objects.filter(slot=slot, state=Offer.OPEN).exists():
            slot.is_open, slot.taken_by = False, appointment
            slot.save(update_fields=["is_open", "taken_by"])
        # Whoever booked it is not told that someone else took it.
        told = [pk for pk in patients if pk != appointment.patient_id]
        if told:
            notify(recipients=told, kind=WAITLIST_OFFER_TAKEN, params=waitlist_taken_params(slot))


def _taken(offer: WaitlistOffer) -> OfferTaken:
    return OfferTaken(
        _("Sorry, the time %(when)s has already been taken. You are still on the waitlist.")
        % {"when": when_label(offer.starts_at, offer.ends_at)}
    )


def waitlist_offer_accept(*, offer: WaitlistOffer, by: User) -> Appointment:
    """The patient takes the offered time: the first accept books it (confirmed); a later
    one, or one for a time booked meanwhile, raises OfferTaken."""
    try:
        return _accept_retrying(offer=offer, by=by)
    except OfferTaken:
        raise
    except SlotTaken as exc:
        # Booked another way since it was offered (the booking page, the front desk): the
        # offers of this time are closed for everyone, in a transaction of their own since
        # the accept's was rolled back.
        with transaction.atomic():
            slot = WaitlistSlot.objects.select_for_update().get(pk=offer.slot_id)
            if slot.is_open:
                _close_slot(slot, taken_by=None)
        raise _taken(offer) from exc


DEADLOCK_RETRIES = 3


def _accept_retrying(*, offer: WaitlistOffer, by: User) -> Appointment:
    """Two accepts of different times can each close offers the other holds (patients
    offered both), and PostgreSQL then aborts one with "deadlock detected"; its transaction
    rolled back whole, it is simply run again (and then waits for the other, or finds its
    own time taken)."""
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            return _accept(offer=offer, by=by)
        except OperationalError as exc:
            deadlocked = getattr(exc.__cause__, "sqlstate", None) == "40P01"
            if not deadlocked or attempt == DEADLOCK_RETRIES:
                raise
    raise AssertionError("unreachable")


def _accept(*, offer: WaitlistOffer, by: User) -> Appointment:
    with transaction.atomic():
        # The slot first, so that two accepts of it take turns here (and no accept waits on a
        # row another holds while holding one it wants: the same order everywhere).
        slot = (
            WaitlistSlot.objects.select_for_update(of=("self",))
            .select_related("dentist")
            .get(pk=offer.slot_id)
        )
        current = (
            WaitlistOffer.objects.select_for_update(of=("self",))
            .select_related("entry__dentist", "entry__type", "entry__patient")
            .get(pk=offer.pk)
        )
        if current.patient_id != by.pk:
            raise ValidationError(_("This offer is not yours."))
        if current.state == Offer.TAKEN or (current.state == Offer.OPEN and not slot.is_open):
            raise _taken(current)
        if current.state == Offer.ACCEPTED:
            raise ValidationError(_("You have already accepted this time."))
        if current.state != Offer.OPEN or current.entry.state != Entry.WAITING:
            raise ValidationError(
                _("This offer is closed: you left that waitlist or booked another time from it.")
            )
        if current.shown_state == Offer.EXPIRED:
            raise ValidationError(
                _("This offer expired at %(when)s. You are still on the waitlist.")
                % {"when": when_label(current.expires_at)}
            )
        entry = current.entry
        appointment = Appointment(
            patient=entry.patient,
            dentist=entry.dentist,
            type=entry.type,
            starts_at=current.starts_at,
            ends_at=current.ends_at,
            state=AppointmentState.CONFIRMED,
            note=_("From the waitlist"),
        )
        slot_occupy(appointment)  # the exclusion constraints have the last word
        now = timezone.now()
        current.state, current.appointment, current.answered_at = Offer.ACCEPTED, appointment, now
        current.save(update_fields=["state", "appointment", "answered_at"])
        WaitlistEntry.objects.filter(pk=entry.pk).update(state=Entry.BOOKED, updated_at=now)
        # The entry is answered: its offers of other times close with it.
        WaitlistOffer.objects.filter(entry=entry, state=Offer.OPEN).update(
            state=Offer.WITHDRAWN, answered_at=now
        )
        _close_slot(slot, taken_by=appointment)
        waitlist_time_booked(appointment=appointment)  # other freed times it overlaps
        summary = appointment_summary(appointment)
        notify(
            recipients=front_desk_ids(appointment),
            kind=WAITLIST_FILLED,
            params=requested_params(summary),
        )
        publish_change(summary, "confirmed")
    return appointment
