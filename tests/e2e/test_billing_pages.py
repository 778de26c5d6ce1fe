"""Billing in a real browser, in both languages and on a phone: a Mexican administrator types
"1500,50" for a fee and it is fifteen hundred and fifty cents; an English colleague's
"1.500,50" is refused on the form with how to write it; a cheque is recorded with its number
and an invoice cancelled with a reason that the student's guardian reads."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import ViewportSize, expect

from accounts.models import User
from accounts.roles import Role
from school.models import FeeItem, Guardianship, Invoice
from tenants.models import Tenant
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import off_the_browser_thread
from tests.factories import make_user
from tests.school.factories import make_invoice

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

PHONE: ViewportSize = {"width": 390, "height": 844}


def keep(path: Path, name: str) -> None:
    """A screenshot the test took (in test-artifacts/e2e/), kept under a readable name."""
    shutil.copy(path, path.parent / name)


@off_the_browser_thread
def _people(tenant: Tenant) -> dict[str, User]:
    people = {
        "ana": make_user(tenant, Role.ADMINISTRATOR, name="Ana Admin"),
        "bill": make_user(tenant, Role.ADMINISTRATOR, name="Bill Admin"),
        "lisa": make_user(tenant, Role.STUDENT, name="Lisa Student"),
        "gloria": make_user(tenant, Role.GUARDIAN, name="Gloria Guardian"),
    }
    with tenant_context(tenant):
        User.objects.filter(pk__in=[people["ana"].pk, people["gloria"].pk]).update(language="es-mx")
        Guardianship.objects.create(guardian=people["gloria"], student=people["lisa"])
    return people


@off_the_browser_thread
def _invoice(tenant: Tenant, student: User, by: User, description: str) -> Invoice:
    with tenant_context(tenant):
        return make_invoice(student, by=by, amount="2500.00", description=description)


@off_the_browser_thread
def _fee(tenant: Tenant) -> FeeItem:
    with tenant_context(tenant):
        return FeeItem.objects.get()


@off_the_browser_thread
def _fees_elsewhere(tenant: Tenant) -> int:
    with tenant_context(tenant):
        return FeeItem.objects.count()


def _both_sizes(
    browsing: Browsing, desk: Visitor, phone: Visitor, tenant: Tenant, path: str, name: str
) -> None:
    for visitor, size in ((desk, "desktop"), (phone, "phone")):
        browsing.open(visitor, tenant, path)
        keep(browsing.shot(visitor, f"{name}-{size}"), f"{name}-{size}.png")


def test_amounts_payments_cancellations_and_fees_in_both_languages(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    people = _people(school)
    # given Ana, who reads Mexican Spanish, on the fee catalogue
    ana = browsing.visitor("ana")
    browsing.add_session(ana, school, people["ana"])
    browsing.open(ana, school, "/school/fees/")
    page = ana.page
    expect(page.locator("h1")).to_have_text("Catálogo de cuotas")
    # when she adds a fee typing a decimal comma
    page.locator("main input[name=name]").fill("Colegiatura")
    page.locator("main input[name=amount]").fill("1500,50")
    page.locator("main form:has(input[name=name]) button[type=submit]").click()
    # then the catalogue shows fifteen hundred and fifty cents, not 150,050
    expect(page.locator("table.fees")).to_contain_text("$1,500.50")
    expect(page.locator("table.fees")).not_to_contain_text("150,050")
    assert _fee(school).amount == Decimal("1500.50")
    # when she types an amount Mexico does not write, she is told how to write it
    page.locator("main input[name=name]").fill("Excursión")
    page.locator("main input[name=amount]").fill("1.500,50")
    page.locator("main form:has(input[name=name]) button[type=submit]").click()
    expect(page.locator("main .errorlist")).to_contain_text(
        "1.500,50 no es un monto válido: escríbelo como 1,500.50 o 1500,50."
    )
    keep(browsing.shot(ana, "fees-refused-es"), "fees-refused-desktop-es.png")

    # given Bill, who reads English, on the same catalogue
    bill = browsing.visitor("bill")
    browsing.add_session(bill, school, people["bill"])
    browsing.open(bill, school, "/school/fees/")
    bill.page.locator("main input[name=name]").fill("Trip")
    bill.page.locator("main input[name=amount]").fill("1500,50")
    bill.page.locator("main form:has(input[name=name]) button[type=submit]").click()
    expect(bill.page.locator("main .errorlist")).to_contain_text(
        "1500,50 is not an amount: write it as 1,500.50."
    )
    keep(browsing.shot(bill, "fees-refused-en"), "fees-refused-desktop-en.png")

    # when Bill records a cheque with its number on an invoice
    invoice = _invoice(school, people["lisa"], people["bill"], "Tuition")
    browsing.open(bill, school, f"/school/invoices/{invoice.pk}/")
    form = bill.page.locator(f"form[action='/school/invoices/{invoice.pk}/pay/']")
    form.locator("input[name=amount]").fill("1,000.00")
    form.locator("select[name=method]").select_option("cheque")
    form.locator("input[name=reference]").fill("Cheque 004512")
    form.locator("button[type=submit]").click()
    # then the invoice page shows the method and the reference
    expect(bill.page.locator("main table.data")).to_contain_text("Cheque 004512")

    # when Ana cancels another invoice saying why
    other = _invoice(school, people["lisa"], people["bill"], "Museum trip")
    browsing.open(ana, school, f"/school/invoices/{other.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    cancel = page.locator(f"form[action='/school/invoices/{other.pk}/cancel/']")
    cancel.locator("button[type=submit]").click()  # no reason yet: refused
    expect(page.locator("main")).to_contain_text("Indica por qué se cancela la factura.")
    keep(browsing.shot(ana, "cancel-refused-es"), "invoice-cancel-refused-desktop-es.png")
    cancel = page.locator(f"form[action='/school/invoices/{other.pk}/cancel/']")
    cancel.locator("input[name=reason]").fill("El museo canceló la visita")
    cancel.locator("button[type=submit]").click()
    expect(page.locator("dd.cancel-reason")).to_have_text("El museo canceló la visita")

    # then Gloria, Lisa's guardian, reads the reason in her inbox
    gloria = browsing.visitor("gloria")
    browsing.add_session(gloria, school, people["gloria"])
    browsing.open(gloria, school, "/notifications/")
    expect(gloria.page.locator("main")).to_contain_text("El museo canceló la visita")
    keep(browsing.shot(gloria, "inbox-es"), "guardian-inbox-desktop-es.png")

    # and the pages read well on a desk and on a phone, in both languages
    fee = _fee(school)
    ana_phone = browsing.visitor("ana-phone", viewport=PHONE)
    browsing.add_session(ana_phone, school, people["ana"])
    bill_phone = browsing.visitor("bill-phone", viewport=PHONE)
    browsing.add_session(bill_phone, school, people["bill"])
    for desk, phone, language in ((ana, ana_phone, "es"), (bill, bill_phone, "en")):
        _both_sizes(browsing, desk, phone, school, "/school/fees/", f"fees-{language}")
        _both_sizes(
            browsing, desk, phone, school, f"/school/fees/{fee.pk}/edit/", f"fee-edit-{language}"
        )
        _both_sizes(
            browsing,
            desk,
            phone,
            school,
            f"/school/invoices/{invoice.pk}/",
            f"invoice-{language}",
        )
        _both_sizes(
            browsing,
            desk,
            phone,
            school,
            f"/school/invoices/{other.pk}/",
            f"invoice-cancelled-{language}",
        )
        _both_sizes(browsing, desk, phone, school, "/school/payments/", f"payments-{language}")
    # and nothing reached the other school
    assert _fees_elsewhere(school_b) == 0
