"""The waitlist in a real browser: two waiting patients look at the same freed time; the first
accepts it and lands on a confirmed appointment, and the other's open offer page turns to
"taken" at once, without a reload. Also the waitlist pages photographed at desktop and phone
width in English and Spanish (test-artifacts/)."""

from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import ViewportSize, expect

from accounts.models import User
from clinic.clock import local_today
from clinic.models import Appointment, WaitlistOffer
from clinic.services import appointments, waitlist
from tenants.models import Tenant
from tests.clinic.factories import USER_HAS_LANGUAGE, Clinic, make_appointment, make_clinic, slot
from tests.e2e.browser import Browsing
from tests.e2e.data import off_the_browser_thread

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1100, "height": 760}


@off_the_browser_thread
def two_offers(tenant: Tenant) -> tuple[Clinic, WaitlistOffer, WaitlistOffer]:
    """Two patients waiting for Dr. Able, and his 10:00 in three days cancelled."""
    with tenant_context(tenant):
        c = make_clinic(tenant)
        for patient in (c.patient, c.patient2):
            waitlist.waitlist_join(
                patient=patient,
                dentist=c.dentist,
                appointment_type=c.checkup,
                weekdays=list(range(7)),
                periods=["morning", "afternoon"],
                until=local_today() + timedelta(days=20),
            )
        held = make_appointment(c, starts_at=slot(days=3, hour=10), patient=c.admin)
        appointments.appointment_cancel(appointment=held, by=c.receptionist)
        offers = WaitlistOffer.objects.order_by("pk")
        return (
            c,
            offers.get(patient=c.patient),
            offers.get(patient=c.patient2),
        )


@off_the_browser_thread
def reads(tenant: Tenant, users: list[User], language: str) -> None:
    if USER_HAS_LANGUAGE:
        with tenant_context(tenant):
            User.objects.filter(pk__in=[u.pk for u in users]).update(**{"language": language})


def test_the_other_patients_open_offer_turns_taken_live(browsing: Browsing, clinic: Tenant) -> None:
    # given two waiting patients, each looking at their offer of the same freed time
    c, first, second = two_offers(clinic)
    winner = browsing.signed_in("winner", clinic, c.patient, f"/clinic/waitlist/offers/{first.pk}/")
    loser = browsing.signed_in("loser", clinic, c.patient2, f"/clinic/waitlist/offers/{second.pk}/")
    offer = loser.page.locator("#waitlist-offer")
    expect(offer.locator('[data-field="state"]')).to_have_text("Open")
    expect(offer.get_by_role("button", name="Accept this time")).to_be_visible()
    loser.mark_page()
    browsing.shot(loser, "open")

    # when the first patient accepts
    winner.page.get_by_role("button", name="Accept this time").click()
    expect(winner.page.locator(".messages")).to_contain_text("The time is yours")
    browsing.shot(winner, "booked")

    # then the other patient's page says it was taken, without a reload, and a toast tells them
    expect(offer.locator('[data-field="state"]')).to_have_text("Taken by another patient")
    expect(offer.locator('[data-field="taken"]')).to_be_visible()
    expect(offer.get_by_role("button", name="Accept this time")).to_have_count(0)
    expect(loser.page.locator("#aviso-toasts .toast")).to_contain_text("The freed time was taken")
    loser.expect_not_reloaded()
    browsing.shot(loser, "taken")


@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_the_waitlist_pages_at_desktop_and_phone_width(
    browsing: Browsing, clinic: Tenant, language: str
) -> None:
    c, first, _ = two_offers(clinic)
    reads(clinic, [c.patient, c.receptionist], language)
    pages = [
        (c.patient, "waitlist", "/clinic/waitlist/"),
        (c.patient, "offer", f"/clinic/waitlist/offers/{first.pk}/"),
        (c.receptionist, "staff", f"/clinic/waitlist/dentists/?dentist={c.dentist.pk}"),
    ]
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for user, name, path in pages:
            visitor = browsing.visitor(f"{language}-{width}-{name}", viewport=viewport)
            browsing.add_session(visitor, clinic, user)
            browsing.open(visitor, clinic, path)
            # nothing wider than the screen: the page scrolls down, never sideways
            scroll = visitor.page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= viewport["width"] + 1, f"{name} at {width}: {scroll}px wide"
            browsing.shot(visitor, "page")
            visitor.context.close()
            browsing.visitors.remove(visitor)


@off_the_browser_thread
def waiting(tenant: Tenant) -> tuple[Clinic, Appointment]:
    """A patient waiting for Dr. Able, and someone else's appointment with him at 10:00."""
    with tenant_context(tenant):
        c = make_clinic(tenant)
        waitlist.waitlist_join(
            patient=c.patient,
            dentist=c.dentist,
            appointment_type=c.checkup,
            weekdays=list(range(7)),
            periods=["morning"],
            until=local_today() + timedelta(days=20),
        )
        return c, make_appointment(c, starts_at=slot(days=3, hour=10), patient=c.patient2)


@off_the_browser_thread
def clinic_cancels(c: Clinic, held: Appointment) -> None:
    with tenant_context(c.tenant):
        appointments.appointment_cancel(appointment=held, by=c.receptionist)


def test_an_offer_appears_live_on_the_waitlist_page(browsing: Browsing, clinic: Tenant) -> None:
    # given a waiting patient looking at their waitlist, with no offer yet
    c, held = waiting(clinic)
    patient = browsing.signed_in("patient", clinic, c.patient, "/clinic/waitlist/")
    rows = patient.page.locator("#waitlist-offers tbody tr[data-offer]")
    expect(rows).to_have_count(0)
    patient.mark_page()
    # when the clinic cancels a 10:00 with Dr. Able
    clinic_cancels(c, held)
    # then the offer appears in the list, open, with a link to answer it, and a toast says so
    expect(rows).to_have_count(1)
    expect(rows.first.locator('[data-field="state"]')).to_have_text("Open")
    expect(rows.first).to_contain_text("Dr. Able")
    expect(rows.first.get_by_role("link", name="See the offer")).to_be_visible()
    expect(patient.page.locator("#aviso-toasts .toast")).to_contain_text("A time freed up")
    patient.expect_not_reloaded()
    browsing.shot(patient, "offered")
