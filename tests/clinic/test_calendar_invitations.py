"""The calendar invitation a patient's appointment e-mail carries (clinic.invitations): a
confirmation is a REQUEST, a move the same event (same UID) with a higher SEQUENCE at the
new time, a cancellation a CANCEL; times are the real moments, whatever the clinic's zone
and its daylight-saving changes. Each file is read back with the icalendar library, as a
calendar app would."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from email.mime.base import MIMEBase
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django_tenants.utils import tenant_context
from icalendar import Calendar, Event

from accounts.models import User
from clinic.clock import at, local_today
from clinic.models import Appointment, AppointmentState
from clinic.services import appointments
from realtime.services import notification_preference_set
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment, slot

pytestmark = pytest.mark.django_db
S = AppointmentState
T = TypeVar("T")


def invitation_parts(to: str) -> list[MIMEBase]:
    return [
        part
        for message in mail.outbox
        if message.to == [to]
        for part in message.attachments
        if isinstance(part, MIMEBase) and part.get_content_type() == "text/calendar"
    ]


def invitations(to: str) -> list[Calendar]:
    files = [part.get_payload(decode=True) for part in invitation_parts(to)]
    assert all(isinstance(f, bytes) for f in files)
    return [Calendar.from_ical(f) for f in files if isinstance(f, bytes)]


def only_event(calendar: Calendar) -> Event:
    [event] = calendar.events
    return event


def at_utc(event: Event, name: str) -> datetime:
    value = event.decoded(name)
    assert isinstance(value, datetime) and value.tzinfo is not None, f"{name} is not a moment"
    return value.astimezone(UTC)


Change = Callable[[Callable[[], T]], T]


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Any) -> Change[Any]:
    """`sent(lambda: a_change())`: the change, then its after-commit work (the e-mails)."""
    mail.outbox.clear()

    def run(change: Callable[[], T]) -> T:
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def confirm(c: Clinic, starts_at: datetime, sent: Change[Appointment]) -> Appointment:
    request = make_appointment(c, state=S.REQUESTED, starts_at=starts_at)
    return sent(lambda: appointments.appointment_confirm(appointment=request, by=c.dentist))


def test_a_confirmation_e_mail_carries_the_invitation(
    c: Clinic, clinic: Tenant, sent: Change[Any]
) -> None:
    with tenant_context(clinic):
        # when the dentist confirms a request for 10:00
        a = confirm(c, slot(hour=10), sent)
    # then the patient's e-mail carries one .ics file, an invitation the mail program offers
    [message] = [m for m in mail.outbox if m.to == [c.patient.email]]
    [part] = invitation_parts(c.patient.email)
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    assert "Content-Type: text/calendar" in message.message().as_string()
    # and it reads as the appointment: its real moments, the kind and the dentist
    [calendar] = invitations(c.patient.email)
    assert str(calendar["method"]) == "REQUEST"
    event = only_event(calendar)
    assert at_utc(event, "dtstart") == a.starts_at
    assert at_utc(event, "dtend") == a.ends_at == a.starts_at + timedelta(minutes=30)
    assert str(event["summary"]) == "Check-up with Dr. Able"
    assert str(event["status"]) == "CONFIRMED"
    assert event.decoded("sequence") == 0
    assert str(event["uid"]).endswith(f".{clinic.schema_name}@aviso")
    assert str(event["attendee"]) == f"mailto:{c.patient.email}"
    assert str(event["organizer"]).startswith("mailto:")
    assert str(event["url"]).endswith(f"/clinic/appointments/{a.pk}/")


def test_a_move_updates_the_same_event_and_a_cancellation_withdraws_it(
    c: Clinic, clinic: Tenant, sent: Change[Any]
) -> None:
    with tenant_context(clinic):
        # given a confirmed appointment at 10:00
        first = confirm(c, slot(hour=10), sent)
        # when the clinic moves it to 14:00 the day after, then to 9:00, then cancels it
        moved = sent(
            lambda: appointments.appointment_reschedule(
                appointment=first, by=c.receptionist, starts_at=slot(days=3, hour=14)
            )
        )
        again = sent(
            lambda: appointments.appointment_reschedule(
                appointment=moved, by=c.receptionist, starts_at=slot(days=3, hour=9)
            )
        )
        sent(
            lambda: appointments.appointment_cancel(
                appointment=again, by=c.receptionist, reason="Ill"
            )
        )
    # then the patient got four files about one event, each newer than the last
    files = invitations(c.patient.email)
    assert [str(f["method"]) for f in files] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    events = [only_event(f) for f in files]
    assert len({str(e["uid"]) for e in events}) == 1
    assert [e.decoded("sequence") for e in events] == [0, 1, 2, 3]
    # at the times it had then
    assert [at_utc(e, "dtstart") for e in events] == [
        slot(hour=10),
        slot(days=3, hour=14),
        slot(days=3, hour=9),
        slot(days=3, hour=9),
    ]
    assert [str(e["status"]) for e in events] == ["CONFIRMED"] * 3 + ["CANCELLED"]


def test_accepting_a_proposed_time_sends_the_patient_the_invitation(
    c: Clinic, clinic: Tenant, sent: Change[Any]
) -> None:
    with tenant_context(clinic):
        # given the clinic proposed 15:00 for a 10:00 request
        request = make_appointment(c, state=S.REQUESTED, starts_at=slot(hour=10))
        sent(
            lambda: appointments.appointment_propose(
                appointment=request, by=c.dentist, starts_at=slot(hour=15)
            )
        )
        assert len(mail.outbox) == 1  # the proposal's e-mail: no appointment to add yet
        assert invitations(c.patient.email) == []
        mail.outbox.clear()
        # when the patient accepts it (the clinic is told; the patient gets no notification)
        sent(lambda: appointments.appointment_accept_proposal(appointment=request, by=c.patient))
    # then an e-mail brings the patient the invitation at 15:00
    [message] = [m for m in mail.outbox if m.to == [c.patient.email]]
    assert message.subject == f"{clinic.name}: Appointment confirmed"
    assert "is confirmed. The attached invitation puts it in your calendar." in message.body
    [calendar] = invitations(c.patient.email)
    assert str(calendar["method"]) == "REQUEST"
    assert at_utc(only_event(calendar), "dtstart") == slot(hour=15)
    # and the staff's e-mails carry none (their calendar is their feed)
    staff_mail = [m for m in mail.outbox if m.to in ([c.dentist.email], [c.receptionist.email])]
    assert len(staff_mail) == 2
    assert invitations(c.dentist.email) == invitations(c.receptionist.email) == []


def test_the_patients_own_cancellation_takes_it_out_of_their_calendar(
    c: Clinic, clinic: Tenant, sent: Change[Any]
) -> None:
    with tenant_context(clinic):
        # given a confirmed appointment in three days, in the patient's calendar
        a = confirm(c, slot(days=3, hour=10), sent)
        mail.outbox.clear()
        # when the patient cancels it online
        sent(lambda: appointments.appointment_cancel(appointment=a, by=c.patient))
    # then the dentist is told (without a calendar file) and the patient gets the cancellation
    assert sorted(m.to[0] for m in mail.outbox) == sorted([c.dentist.email, c.patient.email])
    assert invitations(c.dentist.email) == []
    [message] = [m for m in mail.outbox if m.to == [c.patient.email]]
    assert message.subject == f"{clinic.name}: Appointment cancelled"
    assert message.body.startswith("Hello Pat One,\n\nYou cancelled Check-up with Dr. Able on ")
    [calendar] = invitations(c.patient.email)
    assert str(calendar["method"]) == "CANCEL"
    event = only_event(calendar)
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("sequence") == 1
    assert at_utc(event, "dtstart") == slot(days=3, hour=10)


def test_no_e_mail_copy_means_no_invitation(c: Clinic, clinic: Tenant, sent: Change[Any]) -> None:
    with tenant_context(clinic):
        # given a patient who turned e-mail copies of appointments off
        notification_preference_set(user=c.patient, family="appointments", email_copy=False)
        # when the clinic confirms one appointment and the patient cancels another
        confirm(c, slot(hour=10), sent)
        later = make_appointment(c, starts_at=slot(days=3, hour=10))
        sent(lambda: appointments.appointment_cancel(appointment=later, by=c.patient))
    # then only the dentist hears (of the cancellation): no e-mail reaches the patient
    assert [m.to for m in mail.outbox] == [[c.dentist.email]]


def _spring_forward(zone: ZoneInfo) -> date:
    """The next day the clocks of `zone` move forward, after tomorrow."""
    day = local_today() + timedelta(days=2)
    while not (
        (datetime.combine(day, time(12), zone).utcoffset() or timedelta())
        > (datetime.combine(day, time(0), zone).utcoffset() or timedelta())
    ):
        day += timedelta(days=1)
    return day


def test_times_stay_the_clinics_wall_clock_across_a_daylight_saving_change(
    c: Clinic, clinic: Tenant, sent: Change[Any]
) -> None:
    zone = ZoneInfo("America/New_York")
    Tenant.objects.filter(pk=clinic.pk).update(timezone="America/New_York")
    clinic.timezone = "America/New_York"
    with tenant_context(clinic):
        change = _spring_forward(zone)
        # given 10:00 appointments the day before the clocks move forward and the day after
        before = confirm(c, at(change - timedelta(days=1), time(10)), sent)
        after = confirm(c, at(change + timedelta(days=1), time(10)), sent)
    events = [only_event(f) for f in invitations(c.patient.email)]
    starts = [at_utc(e, "dtstart") for e in events]
    # then both read 10:00 in the clinic's zone: 15:00 UTC in winter time, 14:00 in summer
    assert [s.astimezone(zone).time() for s in starts] == [time(10), time(10)]
    assert [s.hour for s in starts] == [15, 14]
    assert starts == [before.starts_at, after.starts_at]
    assert [at_utc(e, "dtend") - s for e, s in zip(events, starts, strict=True)] == [
        timedelta(minutes=30)
    ] * 2


def test_the_invitation_is_in_the_patients_language(
    c: Clinic, clinic: Tenant, sent: Change[Any]
) -> None:
    with tenant_context(clinic):
        User.objects.filter(pk=c.patient.pk).update(language="es-mx")
        a = confirm(c, slot(days=3, hour=10), sent)
        # and the e-mail of their own cancellation too
        sent(lambda: appointments.appointment_cancel(appointment=a, by=c.patient))
    confirmed, cancelled = (only_event(f) for f in invitations(c.patient.email))
    assert str(confirmed["summary"]) == str(cancelled["summary"]) == "Check-up con Dr. Able"
    [own] = [m for m in mail.outbox if m.to == [c.patient.email] and "Cancelaste" in m.body]
    assert own.subject == f"{clinic.name}: Cita cancelada"
    assert "Cancelaste tu cita de Check-up con Dr. Able el " in own.body
    assert "El archivo adjunto la quita de tu calendario." in own.body
