"""A billing run in a real browser, with a real worker: an administrator bills September's
tuition to a whole level from the form, watches the run end on its page, and — without
reloading — her overview's "outstanding" and a guardian's "to pay" for each child move. The
pages are looked at on a desktop and a phone, in English and Spanish."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import ViewportSize, expect

from accounts.models import User
from accounts.roles import Role
from school.clock import tenant_currency
from school.models import BillingRun, Invoice
from school.money import money_text
from tenants.models import Tenant
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import off_the_browser_thread
from tests.factories import make_user
from tests.school.billing_data import Billing, billing_school
from tests.school.factories import make_billing_run

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

PHONE: ViewportSize = {"width": 390, "height": 844}


def keep(path: Path, name: str) -> None:
    """A screenshot the test took (in test-artifacts/e2e/), kept under a readable name."""
    shutil.copy(path, path.parent / name)


@off_the_browser_thread
def _data(school: Tenant, school_b: Tenant) -> tuple[Billing, User]:
    b = billing_school(school, school_b)
    spanish = make_user(school, Role.ADMINISTRATOR, name="Sofía Admin")
    with tenant_context(school):
        User.objects.filter(pk=spanish.pk).update(language="es-mx")
    return b, spanish


@off_the_browser_thread
def _money(tenant: Tenant, amount: str) -> str:
    with tenant_context(tenant):
        return money_text(Decimal(amount), tenant_currency())


@off_the_browser_thread
def _outcome(school: Tenant, school_b: Tenant) -> dict[str, object]:
    with tenant_context(school):
        run = BillingRun.objects.get()
        result: dict[str, object] = {
            "run": run.pk,
            "status": run.status,
            "billed": sorted(Invoice.objects.values_list("student__full_name", flat=True)),
        }
    with tenant_context(school_b):
        result["elsewhere"] = Invoice.objects.count()
    return result


@off_the_browser_thread
def _queued_run(school: Tenant, b: Billing) -> int:
    """A run as it looks before the worker takes it (its row only)."""
    with tenant_context(school):
        return make_billing_run(
            b.fee,
            by=b.admin,
            due_on=b.due_on,
            group=b.group_c,
            student_count=1,
        ).pk


def _both_sizes(
    browsing: Browsing, desk: Visitor, phone: Visitor, tenant: Tenant, path: str, name: str
) -> None:
    for visitor, size in ((desk, "desktop"), (phone, "phone")):
        browsing.open(visitor, tenant, path)
        keep(browsing.shot(visitor, f"{name}-{size}"), f"{name}-{size}.png")


def test_a_level_is_billed_from_the_browser_and_the_totals_move_live(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    b, sofia = _data(school, school_b)
    owed, total = _money(school, "1500"), _money(school, "4500")
    # given a guardian of two children (Ana in 3° A, Dani in 3° B) on her overview, and the
    # administrator's overview open in another tab
    gloria = browsing.signed_in("gloria", school, b.guardian, "/school/")
    gloria.mark_page()
    children = gloria.page.locator("#overview-totals .card", has_text="to pay")
    expect(children).to_have_count(2)
    expect(children.filter(has_text=owed)).to_have_count(0)
    overview = browsing.signed_in("overview", school, b.admin, "/school/")
    overview.mark_page()
    # when the administrator, from the invoices, bills September's tuition to level 3°
    ada = browsing.signed_in("ada", school, b.admin, "/school/invoices/")
    page = ada.page
    page.get_by_role("link", name="Bill a level or group").click()
    expect(page.get_by_text("No billing runs yet.")).to_be_visible()
    page.get_by_role("link", name="New billing run").click()
    page.select_option("select[name=fee]", label="Tuition September")
    page.select_option("select[name=audience]", label="3° (4 students)")
    page.fill("input[name=due_on]", b.due_on.isoformat())
    keep(browsing.shot(ada, "form"), "billing-run-form-desktop.png")
    page.get_by_role("button", name="Issue the invoices").click()
    # then the run's page shows it end (the worker ran it) and what it did, without a reload
    expect(page.locator("#run-result")).to_contain_text(
        "3 invoices issued, 1 student skipped.", timeout=20_000
    )
    expect(page.locator("#billing-run")).to_contain_text("No guardian linked to pay it")
    # and the menu still says where the administrator is: in Invoices, where runs are reached
    expect(page.locator("nav [aria-current=page]")).to_have_text("Invoices")
    keep(browsing.shot(ada, "done"), "billing-run-done-desktop.png")
    outcome = _outcome(school, school_b)
    assert outcome["status"] == "done" and outcome["billed"] == ["Ana", "Beto", "Dani"]
    assert outcome["elsewhere"] == 0
    # the guardian's overview now says each child has the tuition to pay, in place
    expect(children.filter(has_text=owed)).to_have_count(2)
    gloria.expect_not_reloaded()
    # and the administrator's overview the school's new outstanding total
    expect(overview.page.locator("#overview-totals")).to_contain_text(f"{total} outstanding")
    overview.expect_not_reloaded()

    # Looked at: the pages on a phone, and in Spanish on both sizes.
    run_path = f"/school/billing-runs/{outcome['run']}/"
    queued_path = f"/school/billing-runs/{_queued_run(school, b)}/"
    phone = browsing.visitor("phone", viewport=PHONE)
    browsing.add_session(phone, school, b.admin)
    for path, name in (
        ("/school/billing-runs/", "billing-runs"),
        ("/school/billing-runs/new/", "billing-run-form"),
        (run_path, "billing-run-done"),
    ):
        browsing.open(phone, school, path)
        keep(browsing.shot(phone, name), f"{name}-phone.png")
    browsing.open(phone, school, queued_path)
    expect(phone.page.locator("#run-count")).to_contain_text("0 of 1 students done")
    keep(browsing.shot(phone, "queued"), "billing-run-queued-phone.png")
    es_desk = browsing.visitor("es-desk")
    es_phone = browsing.visitor("es-phone", viewport=PHONE)
    for visitor in (es_desk, es_phone):
        browsing.add_session(visitor, school, sofia)
    _both_sizes(browsing, es_desk, es_phone, school, run_path, "es-billing-run-done")
    expect(es_phone.page.locator("#run-result")).to_contain_text(
        "3 facturas emitidas, 1 alumno omitido."
    )
    _both_sizes(
        browsing, es_desk, es_phone, school, "/school/billing-runs/new/", "es-billing-run-form"
    )
    _both_sizes(browsing, es_desk, es_phone, school, "/school/billing-runs/", "es-billing-runs")
    _both_sizes(browsing, es_desk, es_phone, school, queued_path, "es-billing-run-queued")
    expect(es_phone.page.locator("#run-count")).to_contain_text("0 de 1 alumnos listos")
    gloria_phone = browsing.visitor("gloria-phone", viewport=PHONE)
    browsing.add_session(gloria_phone, school, b.guardian)
    browsing.open(gloria_phone, school, "/school/")
    keep(browsing.shot(gloria_phone, "overview"), "guardian-overview-phone.png")
    # no page of a phone is wider than the phone
    for visitor in (phone, es_phone, gloria_phone):
        width = visitor.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{visitor.name}: {width}px wide"
