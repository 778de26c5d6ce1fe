"""The header as a keyboard and a phone use it: the skip link comes first and lands in the
page's content, the menu button opens and closes the navigation (Escape too), and without
scripts the navigation simply stays open."""

import pytest
from playwright.sync_api import ViewportSize, expect

from accounts.roles import Role
from tenants.models import Tenant
from tests.e2e.browser import Browsing, url
from tests.e2e.data import new_user

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

PHONE = ViewportSize(width=390, height=844)


def test_the_skip_link_is_the_first_stop_and_lands_in_the_content(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    # given an administrator on the school's dashboard
    admin = new_user(school, Role.ADMINISTRATOR, name="Grace Admin")
    visitor = browsing.visitor("keyboard")
    browsing.add_session(visitor, school, admin)
    browsing.open(visitor, school, "/school/")
    page = visitor.page
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()
    # when they press Tab once
    page.keyboard.press("Tab")
    # then the skip link has the focus and shows itself, with a focus outline
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    browsing.shot(visitor, "skip-link")
    # and Enter takes the focus past the header, into the page's content
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_the_menu_button_opens_and_closes_the_navigation_on_a_phone(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    # given a student on a phone: the navigation is folded behind the menu button
    student = new_user(school, Role.STUDENT, name="Alice Martin")
    visitor = browsing.visitor("phone", viewport=PHONE)
    browsing.add_session(visitor, school, student)
    browsing.open(visitor, school, "/school/")
    page = visitor.page
    menu = page.get_by_role("button", name="Menu")
    grades = page.get_by_role("navigation").get_by_role("link", name="My grades")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(grades).to_be_hidden()
    expect(page.locator("#aviso-bell")).to_be_visible()
    # when they tap it, the navigation and Sign out show
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(grades).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    browsing.shot(visitor, "menu-open")
    # and Escape folds it again, leaving the focus on the button
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(grades).to_be_hidden()
    expect(menu).to_be_focused()
    # and the link of the page being shown says so
    menu.click()
    grades.click()
    expect(page.locator("nav [aria-current=page]")).to_have_text("My grades")


def test_without_scripts_the_navigation_stays_open_on_a_phone(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    # given a phone whose browser runs no scripts
    student = new_user(school, Role.STUDENT, name="Alice Martin")
    context = browsing.browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    context.add_cookies([browsing.session_cookie(school, student)])
    # when the student opens the dashboard
    page.goto(url(school, browsing.port, "/school/"))
    # then there is no menu button to press, and everything is there to tap
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation").get_by_role("link", name="My grades")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(browsing.shots / "no-scripts.png"), full_page=True)
    context.close()
