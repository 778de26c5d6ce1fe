"""The calendar feed page in the browser (#14): a patient and a dentist find it in the menu,
copy their private link, and reset it behind a confirmation step; the link the page shows is
a calendar the browser can fetch, the old one a 404 after the reset. Screenshots at desktop
and phone size, in English and Spanish; nothing is wider than a phone."""

from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import User
from tenants.models import Tenant
from tests.clinic.factories import USER_HAS_LANGUAGE, Clinic, make_appointment, make_clinic, slot
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import off_the_browser_thread
from tests.e2e.test_every_page import AXE, Survey, axe_finds

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1100, "height": 760}
TEXTS = {
    "en": {"menu": "Calendar", "copy": "Copy link", "copied": "Link copied.",
           "reset": "Reset link", "yes": "Yes, make a new link"},
    "es-mx": {"menu": "Calendario", "copy": "Copiar enlace", "copied": "Enlace copiado.",
              "reset": "Cambiar el enlace", "yes": "Sí, crear un enlace nuevo"},
}  # fmt: skip


@off_the_browser_thread
def clinic_reading(tenant: Tenant, language: str) -> Clinic:
    with tenant_context(tenant):
        c = make_clinic(tenant)
        if USER_HAS_LANGUAGE:
            User.objects.update(**{"language": language})
        make_appointment(c, starts_at=slot(days=2, hour=10))
        return c


def fits(visitor: Visitor) -> None:
    overflow = visitor.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{visitor.name}: the page is {overflow}px wider than the screen"


def fetch_without_session(visitor: Visitor, address: str) -> dict[str, Any]:
    """What a calendar app gets from `address`: no cookies sent."""
    answer: dict[str, Any] = visitor.page.evaluate(
        """async (address) => {
            const r = await fetch(address, {credentials: "omit", cache: "no-store"});
            return {status: r.status, type: r.headers.get("content-type"), body: await r.text()};
        }""",
        address,
    )
    return answer


@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_the_calendar_feed_page_at_both_sizes_and_languages(
    browsing: Browsing, clinic: Tenant, language: str
) -> None:
    c = clinic_reading(clinic, language)
    said = TEXTS[language]
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        for who, user in (("patient", c.patient), ("dentist", c.dentist)):
            visitor = browsing.visitor(f"{who}-{language}-{size_name}", viewport=size)  # type: ignore[arg-type]
            visitor.context.grant_permissions(["clipboard-read", "clipboard-write"])
            visitor.context.add_init_script(path=AXE)
            browsing.add_session(visitor, clinic, user)
            browsing.open(visitor, clinic, "/clinic/")
            page = visitor.page
            # the page is in the menu (behind the menu button on a phone)
            menu_button = page.locator(".menu-toggle")
            if size_name == "phone" and menu_button.is_visible():
                menu_button.click()
            page.get_by_role("link", name=said["menu"], exact=True).click()
            link = page.locator("#calendar-feed-url")
            expect(link).to_be_visible()
            fits(visitor)
            # what test_every_page checks on every page (its run covers this one too)
            survey = Survey()
            axe_finds(page, survey, f"{who} {size_name}", language)
            assert not survey.problems, survey.report()
            # copying puts the link on the clipboard and says so
            page.get_by_role("button", name=said["copy"]).click()
            expect(page.locator("#calendar-feed-copied")).to_have_text(said["copied"])
            old = link.input_value()
            assert (
                page.evaluate("window.getSelection().toString() || document.activeElement.value")
                == old
            )
            browsing.shot(visitor, "calendar-feed")
            # the link is a calendar, fetched without the session
            fetched = fetch_without_session(visitor, old)
            assert fetched["status"] == 200
            assert fetched["type"].startswith("text/calendar")
            assert "BEGIN:VEVENT" in fetched["body"]
            if size_name == "phone":
                # resetting asks first, then shows a new link; the old one is gone
                page.get_by_text(said["reset"]).click()
                browsing.shot(visitor, "calendar-feed-reset-step")
                page.get_by_role("button", name=said["yes"]).click()
                expect(page.locator(".messages")).to_be_visible()
                assert link.input_value() != old
                fits(visitor)
                browsing.shot(visitor, "calendar-feed-after-reset")
                assert fetch_without_session(visitor, old)["status"] == 404
