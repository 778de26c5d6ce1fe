"""The clinic's notification catalogue against the real services and the real pages: every
`appointment.*` type is registered and sent by some service; what is stored is exactly the
declared parameters; titles and bodies read as the pages always showed them, rendered from
those parameters when shown; and every key the clinic's scripts read from a notification is
declared (the scripts are scanned, so a new key cannot slip in undeclared)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from clinic.clock import when_label
from clinic.models import Appointment, AppointmentState
from clinic.services import appointments, messages, reminders
from realtime.catalogue import registered_types, render_for
from realtime.models import Notification
from realtime.services import notification_payload
from tenants.models import Tenant
from tests.clinic.factories import Clinic, hours_from_now, make_appointment, slot

pytestmark = pytest.mark.django_db
S = AppointmentState
CLINIC_TYPES = {
    "appointment.requested",
    "appointment.confirmed",
    "appointment.declined",
    "appointment.rescheduled",
    "appointment.cancelled",
    "appointment.reminder",
    "appointment.message",
    "appointment.proposed",
    "appointment.proposal_accepted",
    "appointment.proposal_declined",
    "appointment.withdrawn",
}


def _when(a: Appointment) -> str:
    return when_label(a.starts_at, a.ends_at)


@dataclass(frozen=True)
class Sent:
    """What a case expects: who is told, and the title and body they read."""

    recipients: set[int]
    title: str
    body: str


# Each case runs a real service in the clinic and says what must have been sent.
Case = tuple[str, Callable[[Clinic], Sent]]


def _requested(c: Clinic) -> Sent:
    a = appointments.appointment_request(
        patient=c.patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot()
    )
    return Sent(
        {c.dentist.pk, c.receptionist.pk},
        "New appointment request",
        f"Pat One asks for Check-up on {_when(a)}.",
    )


def _confirmed(c: Clinic) -> Sent:
    a = appointments.appointment_confirm(
        appointment=make_appointment(c, state=S.REQUESTED), by=c.dentist
    )
    return Sent(
        {c.patient.pk},
        "Appointment confirmed",
        f"Check-up with Dr. Able on {_when(a)} is confirmed.",
    )


def _declined(c: Clinic) -> Sent:
    a = appointments.appointment_decline(
        appointment=make_appointment(c, state=S.REQUESTED), by=c.receptionist, reason="Away"
    )
    return Sent(
        {c.patient.pk},
        "Appointment request declined",
        f"Your request for {when_label(a.starts_at)} was declined: Away "
        "Please choose another time.",
    )


def _declined_without_reason(c: Clinic) -> Sent:
    a = appointments.appointment_decline(
        appointment=make_appointment(c, state=S.REQUESTED), by=c.dentist
    )
    return Sent(
        {c.patient.pk},
        "Appointment request declined",
        f"Your request for {when_label(a.starts_at)} was declined. Please choose another time.",
    )


def _rescheduled(c: Clinic) -> Sent:
    old = make_appointment(c)
    moved = appointments.appointment_reschedule(
        appointment=old, by=c.receptionist, starts_at=slot(days=3, hour=9)
    )
    return Sent(
        {c.patient.pk},
        "Appointment moved",
        f"Dr. Able moved your Check-up from {_when(old)} to {_when(moved)}.",
    )


def _proposed(c: Clinic) -> Sent:
    request = make_appointment(c, state=S.REQUESTED)
    proposed = appointments.appointment_propose(
        appointment=request, by=c.dentist, starts_at=slot(hour=15)
    )
    new = when_label(slot(hour=15), slot(hour=15, minute=30))
    return Sent(
        {c.patient.pk},
        "New time proposed",
        f"Dr. Able proposes {new} for your Check-up instead of {_when(proposed)}. Accept or "
        "decline the new time.",
    )


def _proposal_accepted(c: Clinic) -> Sent:
    proposal = make_appointment(c, state=S.PROPOSED, proposed_starts_at=slot(hour=15))
    moved = appointments.appointment_accept_proposal(appointment=proposal, by=c.patient)
    return Sent(
        {c.dentist.pk, c.receptionist.pk},
        "New time accepted",
        f"Pat One accepted the new time, {_when(moved)}; the appointment is confirmed.",
    )


def _proposal_declined(c: Clinic) -> Sent:
    proposal = make_appointment(c, state=S.PROPOSED, proposed_starts_at=slot(hour=15))
    kept = appointments.appointment_reject_proposal(appointment=proposal, by=c.patient)
    new = when_label(slot(hour=15), slot(hour=15, minute=30))
    return Sent(
        {c.dentist.pk, c.receptionist.pk},
        "New time declined",
        f"Pat One declined the new time {new}; the request for {_when(kept)} is open again.",
    )


def _withdrawn(c: Clinic) -> Sent:
    request = make_appointment(c, state=S.REQUESTED)
    appointments.appointment_withdraw(appointment=request, by=c.patient)
    return Sent(
        {c.dentist.pk, c.receptionist.pk},
        "Request withdrawn",
        f"Pat One withdrew the request for {_when(request)}.",
    )


def _cancelled_by_patient(c: Clinic) -> Sent:
    a = appointments.appointment_cancel(
        appointment=make_appointment(c, starts_at=hours_from_now(48)), by=c.patient
    )
    return Sent({c.dentist.pk}, "Appointment cancelled", f"Pat One cancelled {_when(a)}.")


def _cancelled_by_clinic(c: Clinic) -> Sent:
    a = appointments.appointment_cancel(
        appointment=make_appointment(c, starts_at=hours_from_now(2)), by=c.dentist, reason="Ill"
    )
    return Sent(
        {c.patient.pk},
        "Appointment cancelled",
        f"The clinic cancelled your appointment on {_when(a)}: Ill",
    )


def _reminder(c: Clinic) -> Sent:
    a = make_appointment(c, starts_at=hours_from_now(20))
    assert reminders.reminders_send_due() == 1
    return Sent(
        {c.patient.pk}, "Appointment reminder", f"Reminder: Check-up with Dr. Able on {_when(a)}."
    )


def _message(c: Clinic) -> Sent:
    text = "x" * 150
    messages.appointment_message_post(appointment=make_appointment(c), author=c.patient, body=text)
    return Sent({c.dentist.pk, c.receptionist.pk}, "Message from Pat One", "x" * 139 + "…")


CASES: dict[str, Case] = {
    "requested": ("appointment.requested", _requested),
    "confirmed": ("appointment.confirmed", _confirmed),
    "declined": ("appointment.declined", _declined),
    "declined without reason": ("appointment.declined", _declined_without_reason),
    "rescheduled": ("appointment.rescheduled", _rescheduled),
    "proposed": ("appointment.proposed", _proposed),
    "proposal accepted": ("appointment.proposal_accepted", _proposal_accepted),
    "proposal declined": ("appointment.proposal_declined", _proposal_declined),
    "withdrawn": ("appointment.withdrawn", _withdrawn),
    "cancelled by patient": ("appointment.cancelled", _cancelled_by_patient),
    "cancelled by clinic": ("appointment.cancelled", _cancelled_by_clinic),
    "reminder": ("appointment.reminder", _reminder),
    "message": ("appointment.message", _message),
}


def test_every_clinic_type_is_registered_and_exercised() -> None:
    registered = {t for t in registered_types() if t.startswith("appointment.")}
    assert registered == CLINIC_TYPES
    assert {type_name for type_name, _ in CASES.values()} == CLINIC_TYPES


@pytest.mark.parametrize("case", list(CASES))
def test_the_service_stores_exactly_the_declared_parameters(
    c: Clinic, clinic: Tenant, case: str
) -> None:
    type_name, run = CASES[case]
    kind = registered_types()[type_name]
    with tenant_context(clinic):
        # when the service runs
        expected = run(c)
        # then each recipient has one notification of that type, and no one else any
        stored = list(Notification.objects.order_by("recipient_id"))
        assert {n.recipient_id for n in stored} == expected.recipients
        assert {n.type for n in stored} == {type_name} and len(stored) == len(expected.recipients)
        for notification in stored:
            # stored: exactly the declared parameters, no rendered sentence
            assert set(notification.data) == kind.keys()
            # shown: the title and body the pages always showed, rendered now
            shown = notification_payload(notification, language="en")["data"]
            assert (shown["title"], shown["body"]) == (expected.title, expected.body)
            assert shown["url"] == f"/clinic/appointments/{notification.data['appointment_id']}/"
            # and the labels the pages put in place are rendered with them, never stored
            assert set(shown) == kind.keys() | kind.shown_keys()
            assert shown["state_label"] == AppointmentState(shown["state"]).label


def test_the_time_in_a_body_is_rendered_when_shown(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        # given a confirmation stored while the clinic ran on UTC
        a = appointments.appointment_confirm(
            appointment=make_appointment(c, starts_at=slot(hour=10), state=S.REQUESTED),
            by=c.dentist,
        )
        notification = Notification.objects.get(type="appointment.confirmed")
        # (read in Spanish, whose times are 24-hour "H:i"; \u2013 is the en dash of a range)
        assert (
            "10:00\u201310:30"
            in notification_payload(notification, language="es-mx")["data"]["body"]
        )
        # when the clinic's time zone changes (the tenant this context shows)
        zone, clinic.timezone = clinic.timezone, "Asia/Tokyo"
        try:
            body = notification_payload(notification, language="es-mx")["data"]["body"]
        finally:
            clinic.timezone = zone
    # then the stored notification reads in the new zone: it kept the time, not a sentence
    assert "19:00\u201319:30" in body
    assert a.starts_at + timedelta(minutes=30) == a.ends_at


# --- what the pages read ---------------------------------------------------------------------

STATE_CHANGE = {"appointment_id", "state", "state_label", "url", "when"}
# Per type, the keys the clinic's scripts read from `notification.data`
# (static/clinic/appointment.js and my_appointments.js).
PAGE_KEYS: dict[str, set[str]] = {
    "appointment.confirmed": STATE_CHANGE | {"type_name", "dentist_name"},
    "appointment.declined": STATE_CHANGE | {"type_name", "dentist_name"},
    "appointment.cancelled": STATE_CHANGE | {"type_name", "dentist_name"},
    "appointment.rescheduled": STATE_CHANGE | {"type_name", "dentist_name", "previous_id"},
    "appointment.message": {"appointment_id", "message_id", "author_name", "created_at", "text"},
    "appointment.requested": STATE_CHANGE | {"type_name", "dentist_name"},
    "appointment.proposed": STATE_CHANGE | {"type_name", "dentist_name", "proposed_when"},
    "appointment.proposal_accepted": STATE_CHANGE | {"proposed_when"},
    "appointment.proposal_declined": STATE_CHANGE | {"proposed_when"},
    "appointment.withdrawn": STATE_CHANGE,
    # static/clinic/waitlist.js (#14)
    "waitlist.offered": {"offer_id", "slot_id", "url", "when", "type_name", "dentist_name"},
    "waitlist.offer_taken": {"slot_id"},
}
SCRIPTS = sorted((Path(settings.BASE_DIR) / "static" / "clinic").glob("*.js"))


def _notification_scripts() -> dict[Path, str]:
    return {p: p.read_text() for p in SCRIPTS if "onNotification(" in p.read_text()}


def test_the_page_keys_are_declared_by_their_types() -> None:
    types = registered_types()
    for type_name, keys in PAGE_KEYS.items():
        missing = keys - types[type_name].keys() - types[type_name].shown_keys()
        assert not missing, f"{type_name} does not declare {sorted(missing)}"


def test_every_key_the_scripts_read_is_in_the_page_keys() -> None:
    scripts = _notification_scripts()
    assert {p.name for p in scripts} == {"appointment.js", "my_appointments.js", "waitlist.js"}
    read = {key for text in scripts.values() for key in re.findall(r"\bdata\.(\w+)", text)}
    assert read, "the scan found nothing: the pattern no longer matches the scripts"
    assert read <= set().union(*PAGE_KEYS.values()), sorted(read - set().union(*PAGE_KEYS.values()))


def test_every_type_the_scripts_follow_is_registered_and_in_the_page_keys() -> None:
    followed: set[str] = set()
    for text in _notification_scripts().values():
        followed |= set(re.findall(r'onNotification\("((?:appointment|waitlist)\.\w+)"', text))
        # Types named by suffix in a list, joined as "appointment." + t
        for items in re.findall(r"\[((?:\s*\"\w+\",?)+)\s*\]", text):
            followed |= {f"appointment.{name}" for name in re.findall(r'"(\w+)"', items)}
    assert followed, "the scan found nothing: the pattern no longer matches the scripts"
    assert followed <= set(registered_types())
    assert followed <= set(PAGE_KEYS)


def test_a_stored_confirmation_renders_without_the_database() -> None:
    """A socket re-renders a notification on its event loop (another reader's language, a
    replay at hello), where no database call may run: the time must come from the zone
    render_for is given, not from looking the tenant up. (No database mark: pytest-django
    fails any query this test made.)"""
    params = {
        "appointment_id": 7,
        "state": "confirmed",
        "starts_at": "2026-03-03T16:30:00+00:00",
        "ends_at": "2026-03-03T17:00:00+00:00",
        "dentist_id": 3,
        "dentist_name": "Dra. Ruiz",
        "type_name": "Limpieza",
    }
    data = render_for(
        "es-mx", "appointment.confirmed", params, zone=ZoneInfo("America/Mexico_City")
    )
    assert "10:30\u201311:00" in data["body"]
    assert "10:30\u201311:00" in data["when"]
