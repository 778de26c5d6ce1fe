"""Writes to a clinic's schedule. Call inside the tenant's schema (request or tenant_context).

Every change and its notifications commit together (realtime.services.notify); live schedule
updates leave only after commit (topic_publish_on_commit). The database refuses double
booking itself; the Python checks before it only give nicer messages."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from clinic.clock import local, when_label
from clinic.errors import SlotTaken, TransitionRefused
from clinic.models import (
    CHAIR_OVERLAP,
    DENTIST_OVERLAP,
    HOLDING_STATES,
    Appointment,
    AppointmentMessage,
    AppointmentReminder,
    AppointmentState,
    AppointmentType,
    Chair,
)
from clinic.selectors import (
    appointment_summary,
    clinic_settings_get,
    receptionist_ids,
    working_intervals,
)
from realtime.services import notify
from realtime.topics import topic_publish_on_commit

SCHEDULE_TOPIC = "clinic.schedule"
CLINIC_SIDE = (Role.DENTIST, Role.RECEPTIONIST, Role.ADMINISTRATOR)
MESSAGE_MAX = 2000

S = AppointmentState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.CONFIRMED, S.DECLINED}),
    S.CONFIRMED: frozenset({S.CANCELLED, S.RESCHEDULED, S.COMPLETED, S.NO_SHOW}),
}
_VERBS: dict[str, str] = {
    S.CONFIRMED: "confirmed",
    S.DECLINED: "declined",
    S.CANCELLED: "cancelled",
    S.RESCHEDULED: "rescheduled",
    S.COMPLETED: "marked completed",
    S.NO_SHOW: "marked a no-show",
}


# --- checks ------------------------------------------------------------------------------


def _require_transition(appointment: Appointment, to: str) -> None:
    if to not in TRANSITIONS.get(appointment.state, frozenset()):
        raise TransitionRefused(
            f"This appointment is {appointment.get_state_display().lower()}; "
            f"it cannot be {_VERBS[to]}."
        )


def _require_clinic_side(appointment: Appointment, by: User) -> None:
    """Dentists act on their own appointments; receptionists and administrators on any."""
    if not by.has_role(*CLINIC_SIDE):
        raise ValidationError("Only the clinic can do this.")
    if by.role == Role.DENTIST and appointment.dentist_id != by.pk:
        raise ValidationError("This is another dentist's appointment.")


def _check_time(*, dentist: User, starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at):
        raise ValidationError("The start time must include a timezone.")
    if starts_at <= timezone.now():
        raise ValidationError("That time has already passed; choose a time in the future.")
    day = local(starts_at).date()
    if local(ends_at).date() != day or not any(
        open_at <= starts_at and ends_at <= close_at
        for open_at, close_at in working_intervals(dentist=dentist, day=day)
    ):
        raise ValidationError(
            f"{dentist.display_name} does not work at {when_label(starts_at, ends_at)}; "
            "choose one of the free slots shown."
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


def _dentist_taken(appointment: Appointment) -> SlotTaken:
    return SlotTaken(
        f"{appointment.dentist.display_name} is already booked at "
        f"{when_label(appointment.starts_at, appointment.ends_at)}; choose another time."
    )


def _occupy(appointment: Appointment) -> Appointment:
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
        raise ValidationError("The clinic has no chairs set up yet.")
    appointment.updated_at = timezone.now()
    for chair in chairs:
        appointment.chair = chair
        try:
            with transaction.atomic():
                appointment.save()
            return appointment
        except IntegrityError as exc:
            violated = _violated(exc)
            if violated == DENTIST_OVERLAP:
                raise _dentist_taken(appointment) from exc
            if violated != CHAIR_OVERLAP:
                raise
    raise SlotTaken(
        f"Every chair is in use at {when_label(appointment.starts_at, appointment.ends_at)}; "
        "choose another time."
    )


def _locked(appointment: Appointment) -> Appointment:
    """The current row, locked: two people acting on one appointment take turns."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "dentist", "chair", "type")
        .get(pk=appointment.pk)
    )


# --- publishing ----------------------------------------------------------------------------


def _publish(appointment: Appointment, change: str) -> None:
    topic_publish_on_commit(
        topic=SCHEDULE_TOPIC,
        object_id=appointment.dentist_id,
        event={
            "type": "appointment.changed",
            "change": change,
            "appointment": appointment_summary(appointment),
        },
    )


def _notify(
    recipients: Iterable[User | int],
    kind: str,
    appointment: Appointment,
    title: str,
    body: str,
    **extra: object,
) -> None:
    summary = appointment_summary(appointment)
    notify(
        recipients=recipients,
        type=f"appointment.{kind}",
        data={
            "title": title,
            "body": body,
            "url": summary["url"],
            "appointment_id": appointment.pk,
            "state": appointment.state,
            "state_label": summary["state_label"],
            "when": summary["when"],
            "starts_at": summary["starts_at"],
            "dentist_id": appointment.dentist_id,
            "dentist_name": summary["dentist_name"],
            "type_name": summary["type_name"],
            **extra,
        },
    )


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
        raise ValidationError("Only patients can request appointments.")
    if not dentist.has_role(Role.DENTIST):
        raise ValidationError("Choose one of the clinic's dentists.")
    if not appointment_type.is_active:
        raise ValidationError("This kind of appointment is no longer offered.")
    ends_at = starts_at + timedelta(minutes=appointment_type.duration_minutes)
    _check_time(dentist=dentist, starts_at=starts_at, ends_at=ends_at)
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
        _occupy(appointment)
        _notify(
            [dentist],
            "requested",
            appointment,
            title="New appointment request",
            body=f"{patient.display_name} asks for {appointment_type.name} on "
            f"{when_label(starts_at, ends_at)}.",
        )
        _publish(appointment, "requested")
    return appointment


def appointment_confirm(*, appointment: Appointment, by: User) -> Appointment:
    with transaction.atomic():
        appointment = _locked(appointment)
        _require_clinic_side(appointment, by)
        _require_transition(appointment, S.CONFIRMED)
        if appointment.starts_at <= timezone.now():
            raise ValidationError(
                "This request is for a time that has passed; decline it or propose another time."
            )
        appointment.state = S.CONFIRMED
        appointment.updated_at = timezone.now()
        appointment.save(update_fields=["state", "updated_at"])
        _notify(
            [appointment.patient_id],
            "confirmed",
            appointment,
            title="Appointment confirmed",
            body=f"{appointment.type.name} with {appointment.dentist.display_name} on "
            f"{when_label(appointment.starts_at, appointment.ends_at)} is confirmed.",
        )
        _publish(appointment, "confirmed")
    return appointment


def appointment_decline(*, appointment: Appointment, by: User, reason: str = "") -> Appointment:
    with transaction.atomic():
        appointment = _locked(appointment)
        _require_clinic_side(appointment, by)
        _require_transition(appointment, S.DECLINED)
        appointment.state = S.DECLINED
        appointment.updated_at = timezone.now()
        appointment.save(update_fields=["state", "updated_at"])
        reason = reason.strip()[:300]
        _notify(
            [appointment.patient_id],
            "declined",
            appointment,
            title="Appointment request declined",
            body=f"Your request for {when_label(appointment.starts_at)} was declined"
            + (f": {reason}" if reason else ".")
            + " Please choose another time.",
        )
        _publish(appointment, "declined")
    return appointment


def appointment_reschedule(
    *, appointment: Appointment, by: User, starts_at: datetime
) -> Appointment:
    """The clinic moves an appointment (or answers a request with another time).

    A request answered this way becomes confirmed at the new time (requested → confirmed);
    a confirmed appointment ends as `rescheduled` and a new confirmed one replaces it, so the
    patient's history shows both. Either way the patient gets `appointment.rescheduled` and
    may cancel within the usual cut-off if the new time does not suit."""
    with transaction.atomic():
        current = _locked(appointment)
        _require_clinic_side(current, by)
        moving_request = current.state == S.REQUESTED
        _require_transition(current, S.CONFIRMED if moving_request else S.RESCHEDULED)
        ends_at = starts_at + timedelta(minutes=current.type.duration_minutes)
        _check_time(dentist=current.dentist, starts_at=starts_at, ends_at=ends_at)
        previous_when = when_label(current.starts_at, current.ends_at)
        if moving_request:
            current.starts_at, current.ends_at, current.state = starts_at, ends_at, S.CONFIRMED
            moved = _occupy(current)
        else:
            current.state = S.RESCHEDULED
            current.updated_at = timezone.now()
            current.save(update_fields=["state", "updated_at"])
            _publish(current, "rescheduled")
            moved = _occupy(
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
        _notify(
            [moved.patient_id],
            "rescheduled",
            moved,
            title="Appointment moved",
            body=f"{moved.dentist.display_name} moved your {moved.type.name} from "
            f"{previous_when} to {when_label(moved.starts_at, moved.ends_at)}.",
            previous_id=current.pk if not moving_request else None,
            previous_when=previous_when,
        )
        _publish(moved, "rescheduled")
    return moved


def appointment_cancel(*, appointment: Appointment, by: User, reason: str = "") -> Appointment:
    """The patient may cancel up to the clinic's cut-off; the clinic at any time."""
    with transaction.atomic():
        appointment = _locked(appointment)
        by_patient = by.pk == appointment.patient_id
        if not by_patient:
            _require_clinic_side(appointment, by)
        _require_transition(appointment, S.CANCELLED)
        if by_patient:
            cutoff = clinic_settings_get().cancellation_cutoff_hours
            if timezone.now() > appointment.starts_at - timedelta(hours=cutoff):
                raise ValidationError(
                    f"Appointments can be cancelled online up to {cutoff} hours before they "
                    "start; please call the clinic."
                )
        appointment.state = S.CANCELLED
        appointment.updated_at = timezone.now()
        appointment.save(update_fields=["state", "updated_at"])
        reason = reason.strip()[:300]
        when = when_label(appointment.starts_at, appointment.ends_at)
        if by_patient:
            _notify(
                [appointment.dentist_id],
                "cancelled",
                appointment,
                title="Appointment cancelled",
                body=f"{appointment.patient.display_name} cancelled {when}.",
            )
        else:
            _notify(
                [appointment.patient_id],
                "cancelled",
                appointment,
                title="Appointment cancelled",
                body=f"The clinic cancelled your appointment on {when}"
                + (f": {reason}" if reason else "."),
            )
        _publish(appointment, "cancelled")
    return appointment


def _finish(*, appointment: Appointment, by: User, to: str) -> Appointment:
    with transaction.atomic():
        appointment = _locked(appointment)
        _require_clinic_side(appointment, by)
        _require_transition(appointment, to)
        if appointment.starts_at > timezone.now():
            raise ValidationError(f"An appointment can be {_VERBS[to]} only once it has started.")
        appointment.state = to
        appointment.updated_at = timezone.now()
        appointment.save(update_fields=["state", "updated_at"])
        _publish(appointment, to)
    return appointment


def appointment_complete(*, appointment: Appointment, by: User) -> Appointment:
    return _finish(appointment=appointment, by=by, to=S.COMPLETED)


def appointment_no_show(*, appointment: Appointment, by: User) -> Appointment:
    return _finish(appointment=appointment, by=by, to=S.NO_SHOW)


# --- messages ------------------------------------------------------------------------------


def appointment_message_post(
    *, appointment: Appointment, author: User, body: str
) -> AppointmentMessage:
    """Store a message and notify the other side: the patient's messages go to the dentist
    and the receptionists; the clinic's go to the patient (and the dentist, if someone else
    wrote). The notification carries the text, so replay brings back anything missed."""
    text = body.strip()
    if not text:
        raise ValidationError("Write a message first.")
    if len(text) > MESSAGE_MAX:
        raise ValidationError(f"Messages are limited to {MESSAGE_MAX} characters.")
    from_patient = author.pk == appointment.patient_id
    if not from_patient:
        _require_clinic_side(appointment, author)
    with transaction.atomic():
        message = AppointmentMessage.objects.create(
            appointment=appointment, author=author, body=text
        )
        if from_patient:
            recipients = {appointment.dentist_id, *receptionist_ids()}
        else:
            recipients = {appointment.patient_id, appointment.dentist_id}
        recipients.discard(author.pk)
        _notify(
            recipients,
            "message",
            appointment,
            title=f"Message from {author.display_name}",
            body=text if len(text) <= 140 else text[:139] + "…",
            message_id=message.pk,
            author_id=author.pk,
            author_name=author.display_name,
            text=text,
            created_at=message.created_at.isoformat(),
        )
    return message


# --- reminders -----------------------------------------------------------------------------


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Remind patients of confirmed appointments starting within the lead time, each once.

    The reminder row (unique per appointment) commits with the notification, so a rerun, an
    overlapping worker or a redelivered task finds it and sends nothing twice."""
    now = now or timezone.now()
    lead = timedelta(hours=clinic_settings_get().reminder_lead_hours)
    due = list(
        Appointment.objects.filter(
            state=S.CONFIRMED,
            starts_at__gt=now,
            starts_at__lte=now + lead,
            reminder__isnull=True,
        )
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("patient", "dentist", "chair", "type")
                .filter(pk=pk, state=S.CONFIRMED)
                .first()
            )
            if appointment is None:
                continue  # another worker holds it, or it changed meanwhile
            _, created = AppointmentReminder.objects.get_or_create(
                appointment=appointment, defaults={"sent_at": now}
            )
            if not created:
                continue
            when = when_label(appointment.starts_at, appointment.ends_at)
            body = (
                f"Reminder: {appointment.type.name} with {appointment.dentist.display_name} "
                f"on {when}."
            )
            _notify(
                [appointment.patient_id],
                "reminder",
                appointment,
                title="Appointment reminder",
                body=body,
            )
            _email_on_commit(
                appointment.patient,
                subject=f"Reminder: your appointment {when}",
                body=f"Hello {appointment.patient.display_name},\n\n{body}\n",
            )
            sent += 1
    return sent


def _email_on_commit(user: User, *, subject: str, body: str) -> None:
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]), robust=True
    )
