"""Appointments as iCalendar (RFC 5545 / iTIP RFC 5546), written by the `icalendar` library:
the invitation an e-mail copy carries (clinic.invitations) and a person's calendar feed
(clinic.views_calendar) describe an appointment the same way, so a calendar app that has
both sees one event.

* UID: one per appointment for its whole life. A reschedule ends the row and books a new one
  (clinic.services.appointments.appointment_reschedule), so the UID is the first row's id in
  the `rescheduled_from` chain: the moved appointment updates the event already in the
  calendar instead of adding a second one.
* SEQUENCE: how many times the event changed since it was first sent: one per reschedule
  (the row's depth in the chain), one more when it is cancelled. A confirmed appointment
  changes in no other way (clinic.states: it is moved, cancelled, completed or missed), so
  the number only grows, as iTIP asks.
* Times are UTC ("...Z"): the instant is exact and every calendar app shows it in its
  reader's zone; the clinic's zone (clinic.clock) is named in X-WR-TIMEZONE for apps that
  show a feed in it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from clinic.clock import clinic_tz
from clinic.models import Appointment
from tenants.selectors import current_tenant

PRODID = "-//Aviso//Clinic appointments//EN"
# iTIP methods: an invitation (new or changed), its withdrawal, and a published feed.
REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"
# How often a subscribed calendar app should fetch the feed again.
FEED_REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    stamp: datetime  # when this version of the event was written
    summary: str
    description: str
    location: str
    url: str
    cancelled: bool = False
    # The clinic's address that invitations come from, and the person invited.
    organizer_email: str = ""
    organizer_name: str = ""
    attendee_email: str = ""
    attendee_name: str = ""


def appointment_uid(*, first_id: int) -> str:
    """The event's UID: the first row of the appointment's chain, in this tenant's schema
    (unique across tenants, and stable when a domain changes)."""
    return f"appointment-{first_id}.{current_tenant().schema_name}@aviso"


def chain_position(
    *, appointment_id: int, links: Mapping[int, int | None] | None = None
) -> tuple[int, int]:
    """(the first row's id, how many reschedules led here) for an appointment row. `links`
    (row id -> rescheduled_from id) saves a query per step when many rows are placed: a
    reschedule keeps the patient and the dentist, so one person's rows hold whole chains."""

    def previous(pk: int) -> int | None:
        if links is not None:
            return links.get(pk)
        return (
            Appointment.objects.filter(pk=pk).values_list("rescheduled_from_id", flat=True).first()
        )

    first, depth = appointment_id, 0
    step = previous(first)
    while step is not None:
        first, depth = step, depth + 1
        step = previous(first)
    return first, depth


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _event(item: CalendarEvent) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", _utc(item.stamp))
    event.add("dtstart", _utc(item.starts_at))
    event.add("dtend", _utc(item.ends_at))
    event.add("summary", item.summary)
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if item.cancelled else "OPAQUE")
    if item.organizer_email:
        organizer = vCalAddress(f"mailto:{item.organizer_email}")
        organizer.params["cn"] = vText(item.organizer_name)
        event.add("organizer", organizer, encode=False)
    if item.attendee_email:
        attendee = vCalAddress(f"mailto:{item.attendee_email}")
        attendee.params["cn"] = vText(item.attendee_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        # The appointment is agreed already: no RSVP buttons that would answer a no-reply box.
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=False)
    return event


def calendar_bytes(*, events: Iterable[CalendarEvent], method: str, name: str = "") -> bytes:
    """A VCALENDAR of `events` with an iTIP `method` (REQUEST, CANCEL or PUBLISH)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", str(clinic_tz()))
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"value": "DURATION"})
        # An X- property has no declared type: written as text, so spelled as a duration.
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH).to_ical().decode())
    for item in events:
        calendar.add_component(_event(item))
    return calendar.to_ical()
