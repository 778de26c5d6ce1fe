"""My account in a real browser: a student changes her language and name, then signs out
everywhere from a second browser; the first browser's open page notices at once (its live
updates stop, "Signed out" in the header) and its next click asks her to sign in."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import ViewportSize, expect

from accounts.models import User
from accounts.roles import Role
from tenants.models import Tenant
from tests.e2e.browser import Browsing
from tests.e2e.data import off_the_browser_thread
from tests.factories import make_user

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

# The screenshots the report looks at (desktop and phone, both languages).
PHONE: ViewportSize = {"width": 390, "height": 844}


@off_the_browser_thread
def student(tenant: Tenant) -> User:
    return make_user(tenant, Role.STUDENT, name="Lisa")


def keep(path: Path, name: str) -> None:
    """A screenshot the test took (in test-artifacts/e2e/), kept under a readable name."""
    shutil.copy(path, path.parent / name)


def test_language_name_and_sign_out_everywhere(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    lisa = student(school)
    # given Lisa's laptop on her inbox, live
    laptop = browsing.signed_in("laptop", school, lisa, "/notifications/")
    page = laptop.page
    # when she opens My account from the header and changes her name and language
    page.locator("#aviso-account").click()
    expect(page.locator("h1")).to_have_text("My account")
    keep(browsing.shot(laptop, "account-en"), "account-desktop-en.png")
    page.get_by_role("link", name="Change name and language").click()
    page.locator("main input[name=full_name]").fill("Lisa Simpson")
    page.locator("main select[name=language]").select_option("es-mx")
    page.locator("main form button[type=submit]").click()
    # then the account page is Spanish and shows the new name
    expect(page.locator("h1")).to_have_text("Mi cuenta")
    expect(page.locator(".messages")).to_contain_text("Se guardaron tu nombre y tu idioma")
    expect(page.locator("#account-name")).to_have_text("Lisa Simpson")
    expect(page.locator(".who .user")).to_contain_text("Lisa Simpson")
    assert page.evaluate("document.documentElement.lang") == "es-MX"
    keep(browsing.shot(laptop, "account-es"), "account-desktop-es.png")
    page.get_by_role("link", name="Elegir copias por correo").click()
    keep(browsing.shot(laptop, "notifications-es"), "notifications-desktop-es.png")
    # and her inbox, later, is Spanish too, with a live socket
    browsing.open(laptop, school, "/notifications/")
    expect(page.locator("h1")).to_contain_text("Notificaciones")
    laptop.wait_until_live()

    # when, on her phone (another browser), she signs out everywhere
    phone = browsing.visitor("phone", viewport=PHONE)
    browsing.add_session(phone, school, lisa)
    browsing.open(phone, school, "/account/me/")
    keep(browsing.shot(phone, "account-phone-es"), "account-phone-es.png")
    browsing.open(phone, school, "/account/me/sign-out-everywhere/")
    keep(browsing.shot(phone, "confirm-phone-es"), "sign-out-everywhere-phone-es.png")
    phone.page.locator("main form button.danger").click()
    # then the phone is on the sign-in page
    expect(phone.page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(phone.page.locator(".messages")).to_contain_text("Cerraste sesión en todos lados")
    # and the laptop's open page notices at once: no more live updates, "signed out"
    expect(page.locator("#aviso-offline")).to_be_visible()
    expect(page.locator("#aviso-offline")).to_have_text("Sesión cerrada")
    assert laptop.open_sockets() == 0
    keep(browsing.shot(laptop, "signed-out-es"), "signed-out-desktop-es.png")
    # and its next click asks her to sign in
    page.locator("#aviso-account").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_english_phone_and_spanish_desktop_pages(browsing: Browsing, clinic: Tenant) -> None:
    """Screenshots of the account pages on a phone in English (and the clinic's layout)."""
    ned = off_the_browser_thread(lambda: make_user(clinic, Role.PATIENT, name="Ned"))()
    phone = browsing.visitor("ned", viewport=PHONE)
    browsing.add_session(phone, clinic, ned)
    for path, name in [
        ("/account/me/", "account-phone-en.png"),
        ("/account/me/profile/", "profile-phone-en.png"),
        ("/account/me/email/", "email-phone-en.png"),
        ("/account/me/notifications/", "notifications-phone-en.png"),
        ("/accounts/password/change/", "password-phone-en.png"),
    ]:
        browsing.open(phone, clinic, path)
        keep(browsing.shot(phone, name.removesuffix(".png")), name)


@off_the_browser_thread
def allow_sign_up(tenant: Tenant) -> None:
    from django_tenants.utils import tenant_context

    from clinic.models import ClinicSettings

    with tenant_context(tenant):
        ClinicSettings.objects.update_or_create(pk=1, defaults={"allow_patient_sign_up": True})


def test_a_clinic_that_allows_it_offers_sign_up(
    browsing: Browsing, clinic: Tenant, clinic_b: Tenant
) -> None:
    allow_sign_up(clinic)
    for locale, suffix in (("en", "en"), ("es-MX", "es")):
        sizes: list[tuple[ViewportSize | None, str]] = [(None, "desktop"), (PHONE, "phone")]
        for viewport, size in sizes:
            visitor = browsing.visitor(
                f"stranger-{suffix}-{size}", viewport=viewport, locale=locale
            )
            browsing.open(visitor, clinic, "/accounts/login/")
            link = visitor.page.locator(".sign-up a")
            expect(link).to_be_visible()
            keep(browsing.shot(visitor, "login"), f"login-{size}-{suffix}.png")
            link.click()
            expect(visitor.page.locator("input[name=password2]")).to_be_visible()
            keep(browsing.shot(visitor, "sign-up"), f"sign-up-{size}-{suffix}.png")
    # while the other clinic, with sign-up off, offers none
    other = browsing.visitor("stranger-other")
    browsing.open(other, clinic_b, "/accounts/login/")
    expect(other.page.locator(".sign-up")).to_have_count(0)
    browsing.open(other, clinic_b, "/accounts/signup/")
    expect(other.page.locator("h1")).to_have_text("Sign-up is closed")
    keep(browsing.shot(other, "closed"), "sign-up-closed-desktop-en.png")
