"""The console in a real browser against a real Daphne and worker: the panel updates in place
as a student's page opens, onboarding shows its progress until the tenant is active, and
suspending closes the student's live connection, and archiving then deleting a tenant."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import get_public_schema_name, schema_context
from playwright.sync_api import Browser, expect

from accounts.roles import Role
from config.redis import redis_client, redis_key
from tenants.models import Domain, Tenant
from testing.tenants import onboard
from tests.celery_worker import real_worker
from tests.conftest import PUBLIC_DOMAIN, TEST_TENANTS
from tests.console.factories import make_operator, operator_session
from tests.e2e.browser import CHROMIUM, Browsing, Visitor, chromium
from tests.factories import make_user
from tests.servers import daphne

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]
WAIT = 15_000


@pytest.fixture(scope="module")
def site_port(django_db_setup: None, django_db_blocker: Any) -> Iterator[int]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    with (
        django_db_blocker.unblock(),
        real_worker(),
        daphne(None, CELERY_TASK_ALWAYS_EAGER="false", AVISO_MONITOR_SECONDS="0.5") as port,
    ):
        yield port


@pytest.fixture(scope="module")
def browser(site_port: int) -> Iterator[Browser]:
    with chromium() as launched:  # after Daphne (site_port): see chromium()
        yield launched


@pytest.fixture
def browsing(
    browser: Browser, site_port: int, request: pytest.FixtureRequest
) -> Iterator[Browsing]:
    for slug, *_ in TEST_TENANTS:  # presence left by earlier tests' sockets
        redis_client().delete(redis_key("presence", slug))
    session = Browsing(browser, port=site_port, test_name=request.node.name)
    yield session
    errors = session.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"


def operator_visitor(browsing: Browsing, path: str) -> Visitor:
    visitor = browsing.visitor("operator")
    visitor.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": operator_session(make_operator()),
                "domain": PUBLIC_DOMAIN,
                "path": "/",
                "httpOnly": True,
            }
        ]
    )
    response = visitor.page.goto(f"http://{PUBLIC_DOMAIN}:{browsing.port}{path}")
    assert response is not None and response.ok
    return visitor


def test_panel_updates_in_place_and_suspension_ends_the_students_connection(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    ops = operator_visitor(browsing, "/monitor/")
    row = ops.page.locator('#monitor tr[data-slug="school_a"]')
    expect(row).to_be_visible(timeout=WAIT)
    expect(row.locator("td").nth(2)).to_have_text("0", timeout=WAIT)
    ops.mark_page()
    # when a student opens a school page
    student = browsing.signed_in("student", school, make_user(school, Role.STUDENT), "/school/")
    # then the operator's panel shows the socket and the person, without a reload
    expect(row.locator("td").nth(2)).to_have_text("1", timeout=WAIT)
    expect(row.locator("td").nth(3)).to_have_text("1", timeout=WAIT)
    other = ops.page.locator('#monitor tr[data-slug="school_b"] td').nth(2)
    expect(other).to_have_text("0")
    ops.expect_not_reloaded()
    browsing.shot(ops, "panel")

    # when the operator suspends the school from its page
    page = ops.page
    page.goto(f"http://{PUBLIC_DOMAIN}:{browsing.port}/tenants/school_a/")
    expect(page.locator('#live [data-field="sockets"]')).to_have_text("1", timeout=WAIT)
    page.locator("button.danger", has_text="Suspend").click()
    # it asks first: the box ticked, the move confirmed
    page.locator("#id_confirm").check()
    page.locator("#confirm button.danger").click()
    try:
        expect(page.locator("#tenant-status")).to_have_text("Suspended")
        # then the student's page says so and its connection is closed
        expect(student.page.locator("#aviso-offline")).to_have_text(
            "This site is suspended", timeout=3000
        )
        assert student.open_sockets() == 0
        expect(page.locator('#live [data-field="sockets"]')).to_have_text("0", timeout=WAIT)
        browsing.shot(ops, "suspended")
    finally:
        page.locator("button", has_text="Reactivate").click()
        expect(page.locator("#tenant-status")).to_have_text("Active")


def _drop(slug: str, domain: str) -> None:
    with schema_context(get_public_schema_name()):
        for leftover in Tenant.objects.filter(schema_name=slug):
            leftover.delete(force_drop=True)
        Domain.objects.filter(domain=domain).delete()


def test_onboarding_shows_progress_until_the_tenant_is_active(
    browsing: Browsing, school: Tenant
) -> None:
    ops = operator_visitor(browsing, "/tenants/new/")
    page = ops.page
    try:
        page.locator("input[name=name]").fill("Oscar School")
        page.locator("input[name=slug]").fill("oscar_school")
        page.locator("select[name=kind]").select_option("school")
        page.locator("input[name=domains]").fill("oscar.test")
        page.locator("input[name=admin_email]").fill("head@oscar.test")
        page.locator("button[type=submit]", has_text="Create tenant").click()
        # the progress pushed by the worker ends in a reload showing the active tenant
        expect(page.locator("#tenant-status")).to_have_text("Active", timeout=30_000)
        expect(page.locator("#provisioning")).to_be_hidden()
        expect(page.locator("#domains")).to_contain_text("oscar.test")
        browsing.shot(ops, "active")
        # and the tenants list has it
        page.goto(f"http://{PUBLIC_DOMAIN}:{browsing.port}/")
        expect(page.locator('#tenants tr[data-slug="oscar_school"]')).to_contain_text("Active")
    finally:
        _drop("oscar_school", "oscar.test")


def test_the_operator_archives_then_deletes_a_tenant(browsing: Browsing, school: Tenant) -> None:
    # given a school of its own, with a student on a live page
    with schema_context(get_public_schema_name()):
        doomed = onboard(slug="yankee_school", kind="school", domain="yankee.test", name="Yankee")
    try:
        student = browsing.signed_in("student", doomed, make_user(doomed, Role.STUDENT), "/school/")
        ops = operator_visitor(browsing, "/tenants/yankee_school/")
        page = ops.page
        # when the operator archives it: a confirmation first, nothing happens without it
        page.locator("#tenant-moves button", has_text="Archive").click()
        expect(page.locator("#confirm")).to_contain_text("Its data is kept")
        browsing.shot(ops, "confirm-archive")
        page.locator("#id_confirm").check()
        page.locator("#confirm button.danger").click()
        # then the tenant reads archived and the student's live page says so and stops
        expect(page.locator("#tenant-status")).to_have_text("Archived")
        expect(student.page.locator("#aviso-offline")).to_have_text(
            "This site is archived", timeout=3000
        )
        assert student.open_sockets() == 0
        browsing.shot(ops, "archived")
        # when the operator deletes it, typing its name
        page.locator("a", has_text="Delete…").click()
        page.locator("input[name=name]").fill("yankee")
        page.locator("button.danger", has_text="Delete for good").click()
        expect(page.locator(".field.invalid .error")).to_contain_text("exact name")
        page.locator("input[name=name]").fill("Yankee")
        browsing.shot(ops, "delete")
        page.locator("button.danger", has_text="Delete for good").click()
        # then the tenants list has it no more, and the other tenants are there
        expect(page.locator(".messages")).to_contain_text("Yankee is deleted")
        expect(page.locator('#tenants tr[data-slug="yankee_school"]')).to_have_count(0)
        expect(page.locator('#tenants tr[data-slug="school_a"]')).to_have_count(1)
        browsing.shot(ops, "deleted")
        assert not Tenant.objects.filter(schema_name="yankee_school").exists()
    finally:
        _drop("yankee_school", "yankee.test")
