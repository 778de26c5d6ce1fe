"""A patient's or dentist's private calendar feed: the page shows its URL, the URL opens
the person's confirmed appointments to any calendar app without signing in, and only that
person's; resetting the link kills the old URL; a token that opens nothing here (reset,
made up, another clinic's) is a 404."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from icalendar import Calendar, Event

from accounts.models import User
from clinic.calendar_feed import feed_token
from clinic.models import CalendarFeed
from clinic.services import appointments
from clinic.services.calendar import calendar_feed_token
from clinic.states import AppointmentState
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment, slot
from tests.factories import client_for, domain_of

pytestmark = pytest.mark.django_db
S = AppointmentState


def feed_path(clinic: Tenant, user: User) -> str:
    """The feed's path, as the person's page shows it."""
    page = client_for(clinic, user).get("/clinic/calendar/")
    assert page.status_code == 200
    url = page.context["feed_url"]
    assert url in page.content.decode()
    return urlsplit(url).path


def fetch(tenant: Tenant, path: str) -> Calendar:
    """The feed as a calendar app gets it: no session, no cookies."""
    response = Client(HTTP_HOST=domain_of(tenant)).get(path)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[datetime, Event]:
    return {e.decoded("dtstart").astimezone(UTC): e for e in calendar.events}


def test_a_patients_feed_lists_their_confirmed_appointments_only(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        # given the patient's confirmed appointments, a past one and one ahead
        ahead = make_appointment(c, starts_at=slot(days=2, hour=10))
        recent = make_appointment(c, starts_at=slot(days=-3, hour=9), state=S.COMPLETED)
        # and what is not theirs or not (or no longer) an appointment
        make_appointment(c, starts_at=slot(days=2, hour=11), patient=c.patient2)
        make_appointment(c, starts_at=slot(days=3, hour=10), state=S.REQUESTED)
        make_appointment(c, starts_at=slot(days=4, hour=10), state=S.CANCELLED)
        make_appointment(c, starts_at=slot(days=-60, hour=10), state=S.COMPLETED)  # long ago
    # when their calendar app fetches the URL their page shows
    calendar = fetch(clinic, feed_path(clinic, c.patient))
    # then it lists exactly their two appointments, at their real moments
    found = events(calendar)
    assert set(found) == {ahead.starts_at, recent.starts_at}
    event = found[ahead.starts_at]
    assert event.decoded("dtend").astimezone(UTC) == ahead.ends_at
    assert str(event["summary"]) == "Check-up with Dr. Able"
    assert str(event["status"]) == "CONFIRMED"
    assert str(calendar["x-wr-calname"]) == f"{clinic.name} appointments"
    # and tells the calendar app to fetch it again hourly
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in calendar.to_ical().decode()
    assert str(calendar["x-published-ttl"]) == "PT1H"


def test_a_dentists_feed_lists_the_patients_they_see(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        mine = make_appointment(c, starts_at=slot(days=2, hour=10))
        make_appointment(
            c,
            starts_at=slot(days=2, hour=10),
            dentist=c.dentist2,
            patient=c.patient2,
            chair=c.chairs[1],
        )
    calendar = fetch(clinic, feed_path(clinic, c.dentist))
    found = events(calendar)
    assert set(found) == {mine.starts_at}
    assert str(found[mine.starts_at]["summary"]) == "Check-up: Pat One"


def test_a_moved_appointment_is_the_same_event_as_the_invitation_said(
    c: Clinic, clinic: Tenant
) -> None:
    path = feed_path(clinic, c.patient)
    with tenant_context(clinic):
        first = make_appointment(c, starts_at=slot(days=2, hour=10))
    [before] = events(fetch(clinic, path)).values()
    with tenant_context(clinic):
        moved = appointments.appointment_reschedule(
            appointment=first, by=c.receptionist, starts_at=slot(days=3, hour=11)
        )
    # then the feed has one event, the same UID at the new time, one change later
    [after] = events(fetch(clinic, path)).values()
    assert str(after["uid"]) == str(before["uid"])
    assert after.decoded("sequence") == before.decoded("sequence") + 1
    assert after.decoded("dtstart").astimezone(UTC) == moved.starts_at


def test_the_feed_is_in_its_owners_language(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        User.objects.filter(pk=c.patient.pk).update(language="es-mx")
        make_appointment(c, starts_at=slot(days=2, hour=10))
    # fetched by an app that asks for English
    path = feed_path(clinic, c.patient)
    response = Client(HTTP_HOST=domain_of(clinic), HTTP_ACCEPT_LANGUAGE="en").get(path)
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "Check-up con Dr. Able"


def test_resetting_the_link_kills_the_old_url(c: Clinic, clinic: Tenant) -> None:
    old = feed_path(clinic, c.patient)
    # the page shows the same link on every visit
    assert feed_path(clinic, c.patient) == old
    # when the patient resets it
    response = client_for(clinic, c.patient).post("/clinic/calendar/reset/", follow=True)
    assert response.status_code == 200
    assert "the old one no longer works" in response.content.decode()
    new = feed_path(clinic, c.patient)
    # then the old URL is a 404 and the new one works
    assert new != old
    assert Client(HTTP_HOST=domain_of(clinic)).get(old).status_code == 404
    fetch(clinic, new)


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "0" * 64, "x" * 500, "%00", "..%2F..%2Fetc", "%E2%80%AE"],
)
def test_a_made_up_token_is_a_404(c: Clinic, clinic: Tenant, token: str) -> None:
    feed_path(clinic, c.patient)  # a feed exists in this clinic
    response = Client(HTTP_HOST=domain_of(clinic)).get(f"/clinic/calendar/{token}.ics")
    assert response.status_code == 404


def test_a_token_on_another_tenants_domain_is_a_404(
    c: Clinic, other: Clinic, clinic: Tenant, clinic_b: Tenant, school: Tenant
) -> None:
    path = feed_path(clinic, c.patient)
    # another clinic, with its own feeds, finds nothing for it; a school has no such page
    feed_path(clinic_b, other.patient)
    assert Client(HTTP_HOST=domain_of(clinic_b)).get(path).status_code == 404
    assert Client(HTTP_HOST=domain_of(school)).get(path).status_code == 404
    # even the same key in the other clinic makes another token (it is bound to the tenant)
    with tenant_context(clinic):
        feed = CalendarFeed.objects.get(user=c.patient)
        token = feed_token(feed)
    with tenant_context(clinic_b):
        assert feed_token(feed) != token


def test_a_deactivated_persons_feed_is_a_404(c: Clinic, clinic: Tenant) -> None:
    path = feed_path(clinic, c.patient)
    with tenant_context(clinic):
        User.objects.filter(pk=c.patient.pk).update(is_active=False)
    assert Client(HTTP_HOST=domain_of(clinic)).get(path).status_code == 404


def test_the_token_is_not_stored(c: Clinic, clinic: Tenant) -> None:
    path = feed_path(clinic, c.patient)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    with tenant_context(clinic):
        feed = CalendarFeed.objects.get(user=c.patient)
        assert token not in (feed.key, feed.token_digest)
        assert len(token) == 64


def test_staff_without_appointments_of_their_own_have_no_feed(c: Clinic, clinic: Tenant) -> None:
    for user in (c.receptionist, c.admin):
        assert client_for(clinic, user).get("/clinic/calendar/").status_code == 403
        assert client_for(clinic, user).post("/clinic/calendar/reset/").status_code == 403
    with tenant_context(clinic):
        # a token made for them anyway (say, before a role change) opens nothing
        token = calendar_feed_token(user=c.receptionist)
    assert (
        Client(HTTP_HOST=domain_of(clinic)).get(f"/clinic/calendar/{token}.ics").status_code == 404
    )


def test_the_feed_is_no_page_to_post_to(c: Clinic, clinic: Tenant) -> None:
    path = feed_path(clinic, c.patient)
    assert Client(HTTP_HOST=domain_of(clinic)).post(path).status_code == 405


def test_a_cancelled_appointment_leaves_the_feed(c: Clinic, clinic: Tenant) -> None:
    path = feed_path(clinic, c.patient)
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=slot(days=3, hour=10))
    assert set(events(fetch(clinic, path))) == {a.starts_at}
    with tenant_context(clinic):
        appointments.appointment_cancel(appointment=a, by=c.patient)
    assert events(fetch(clinic, path)) == {}
