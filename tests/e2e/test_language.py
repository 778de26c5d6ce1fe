"""A Spanish reader's page in a real browser: the page, its scripts' own words (the JS
catalogue), the socket's close messages and the catch-up toast after a lost network are
Spanish, and amounts and times are written as the server writes them."""

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import User
from accounts.roles import Role
from realtime.services import notify
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE, TestMessageParams
from testing.proxy import CuttableProxy
from tests.e2e.browser import Browsing
from tests.e2e.data import off_the_browser_thread
from tests.factories import make_user

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

# The client backs off up to 30 s between attempts (full jitter).
RECONNECT_PATIENCE = 35_000


@off_the_browser_thread
def spanish_student(tenant: Tenant) -> User:
    user = make_user(tenant, Role.STUDENT, name="Lucía Pérez")
    with tenant_context(tenant):
        user.language = "es-mx"
        user.save(update_fields=["language"])
    return user


@off_the_browser_thread
def send_messages(tenant: Tenant, user: User, count: int) -> None:
    with tenant_context(tenant):
        for number in range(1, count + 1):
            notify(
                recipients=[user], kind=TEST_MESSAGE, params=TestMessageParams(text=f"#{number}")
            )


def test_a_spanish_readers_page_and_scripts_speak_spanish(
    browsing: Browsing, proxy: CuttableProxy, school: Tenant, school_b: Tenant
) -> None:
    lucia = spanish_student(school)
    student = browsing.signed_in("lucia", school, lucia, "/notifications/", port=proxy.port)
    page = student.page
    # the page is Spanish, and says so
    assert page.evaluate("document.documentElement.lang") == "es-MX"
    expect(page.locator(".who button")).to_have_text("Cerrar sesión")
    expect(page.locator("h1")).to_contain_text("Notificaciones")
    expect(page.locator("#aviso-bell .visually-hidden")).to_have_text("Notificaciones")
    # its scripts have the Spanish catalogue and the server's formats
    assert page.evaluate("gettext('offline')") == "sin conexión"
    close_codes = page.evaluate(
        "JSON.parse(document.getElementById('aviso-close-codes').textContent)"
    )
    assert close_codes["4401"]["message"] == "Sesión cerrada"
    assert page.evaluate("aviso.format.money('1500.5', 'MXN')") == "$1,500.50 MXN"
    assert page.evaluate("aviso.format.time('2026-12-31T20:30:00Z')") == "20:30"  # UTC school
    browsing.shot(student, "spanish-inbox")

    # when the network drops, five notifications arrive meanwhile, and it comes back
    proxy.cut()
    offline = page.locator("#aviso-offline")
    expect(offline).to_be_visible()
    expect(offline).to_have_text("sin conexión")
    send_messages(school, lucia, 5)
    proxy.restore()
    # then three are shown, and the rest are counted in Spanish
    more = page.locator(".toast", has_text="notificaciones más")
    expect(more).to_have_text("2 notificaciones más", timeout=RECONNECT_PATIENCE)
    browsing.shot(student, "caught-up")
