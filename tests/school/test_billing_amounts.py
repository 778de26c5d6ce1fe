"""Amounts typed on the billing pages are read in the page's language by one rule
(school.money.amount_parse): a Spanish reader's "1500,50" is 1500.50, never 150050; whatever
is ambiguous or unreadable is refused on the form (400) with a message, and nothing is written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from school.clock import tenant_today
from school.forms import AmountField
from school.models import FeeItem, Invoice, Payment
from school.money import amount_parse
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.conftest import People
from tests.school.factories import make_invoice

# (typed, English reads, Mexican Spanish reads); None: refused.
TABLE = [
    ("1500.50", "1500.50", "1500.50"),
    ("1,500.50", "1500.50", "1500.50"),
    ("1500", "1500.00", "1500.00"),
    ("1,500", "1500.00", "1500.00"),
    ("1,234,567.89", "1234567.89", "1234567.89"),
    (" 12.5 ", "12.50", "12.50"),
    ("0.50", "0.50", "0.50"),
    (".5", "0.50", "0.50"),
    ("1500,50", None, "1500.50"),
    ("1500,5", None, "1500.50"),
    ("12,5", None, "12.50"),
    ("1,50", None, "1.50"),
    ("1.500,50", None, None),
    ("1.500,50,3", None, None),
    ("1,5,0", None, None),
    ("15,00.50", None, None),
    ("1500,505", None, None),
    ("1.500", None, None),
    ("12abc", None, None),
    ("1e3", None, None),
    ("١٢", None, None),
    ("$12", None, None),
    ("-12", None, None),
    ("+12", None, None),
    ("0", None, None),
    ("0,00", None, None),
    ("12.345", None, None),
    ("1 500", None, None),
    ("NaN", None, None),
    ("9999999999.99", "9999999999.99", "9999999999.99"),
    ("99999999999", None, None),
    ("9" * 40, None, None),
]


@pytest.mark.parametrize(("typed", "english", "spanish"), TABLE)
def test_an_amount_is_read_as_the_pages_language_writes_it(
    typed: str, english: str | None, spanish: str | None
) -> None:
    for language, expected in (("en", english), ("es-mx", spanish)):
        with translation.override(language):
            if expected is None:
                with pytest.raises(ValidationError):
                    AmountField().clean(typed)
            else:
                assert AmountField().clean(typed) == Decimal(expected), (language, typed)


def test_the_rule_is_said_in_one_place_and_services_read_only_plain_amounts() -> None:
    assert amount_parse("1500,50", language="es-mx") == Decimal("1500.50")
    with pytest.raises(ValidationError) as refused:
        amount_parse("1500,50", language="en")
    assert refused.value.messages == ["1500,50 is not an amount: write it as 1,500.50."]
    # code (the demo, the services) writes "1500.50": a comma is never dropped into 150050
    with pytest.raises(ValidationError):
        amount_parse("1500,50", language=None)
    assert amount_parse("1500.50", language=None) == Decimal("1500.50")


def test_refusals_say_why() -> None:
    with translation.override("en"):
        reasons = {}
        for typed in ("12.345", "-5", "0", "1.500,50,3", "9" * 30):
            with pytest.raises(ValidationError) as refused:
                AmountField().clean(typed)
            reasons[typed] = refused.value.messages
    assert reasons == {
        "12.345": ["Amounts have at most two decimals."],
        "-5": ["The amount must be above zero."],
        "0": ["The amount must be above zero."],
        "1.500,50,3": ["1.500,50,3 is not an amount: write it as 1,500.50."],
        "9" * 30: ["Give at most 10 digits before the decimal point."],
    }


def _spanish(tenant: Tenant, user: User) -> User:
    with tenant_context(tenant):
        User.objects.filter(pk=user.pk).update(language="es-mx")
    return user


@pytest.mark.django_db
def test_a_spanish_administrator_bills_and_takes_1500_comma_50(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    # given an administrator reading Mexican Spanish
    admin = _spanish(school, people.admin)
    client = client_for(school, admin)
    due = (tenant_today() + timedelta(days=10)).isoformat()
    # when she adds a fee, issues an invoice and records a payment typing decimal commas
    assert (
        client.post("/school/fees/", {"name": "Colegiatura", "amount": "1500,50"}).status_code
        == 302
    )
    with tenant_context(school):
        fee = FeeItem.objects.get()
    assert fee.amount == Decimal("1500.50")
    response = client.post(
        "/school/invoices/new/",
        {
            "student": people.alice.pk,
            "description": "Excursión",
            "amount": "2.345,00",
            "due_on": due,
        },
    )
    assert response.status_code == 400  # "2.345,00" is not how Mexico writes it: refused
    response = client.post(
        "/school/invoices/new/",
        {
            "student": people.alice.pk,
            "description": "Excursión",
            "amount": "2,345.75",
            "due_on": due,
        },
    )
    assert response.status_code == 302
    with tenant_context(school):
        invoice = Invoice.objects.get()
    assert invoice.amount == Decimal("2345.75")
    response = client.post(
        f"/school/invoices/{invoice.pk}/pay/", {"amount": "345,75", "method": "cash"}
    )
    assert response.status_code == 302
    with tenant_context(school):
        invoice.refresh_from_db()
        assert invoice.amount_paid == Decimal("345.75")
    # and the other school has none of it
    with tenant_context(school_b):
        assert not FeeItem.objects.exists() and not Invoice.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1,5,0", "12abc", "1.500,50,3", "-5", "12.345", "1500,50"])
def test_an_english_reader_sees_unreadable_amounts_refused_and_nothing_written(
    school: Tenant, people: People, typed: str
) -> None:
    client = client_for(school, people.admin)
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin, amount="100.00")
    due = (tenant_today() + timedelta(days=10)).isoformat()
    posts = {
        "/school/fees/": {"name": "Trip", "amount": typed},
        "/school/invoices/new/": {
            "student": people.alice.pk,
            "description": "Trip",
            "amount": typed,
            "due_on": due,
        },
        f"/school/invoices/{invoice.pk}/pay/": {"amount": typed, "method": "cash"},
    }
    for url, data in posts.items():
        response = client.post(url, data)
        assert response.status_code == 400, url
        assert 'class="errorlist' in response.text, url
    with tenant_context(school):
        assert not FeeItem.objects.exists() and not Payment.objects.exists()
        assert Invoice.objects.count() == 1


@pytest.mark.django_db
def test_a_spanish_reader_is_told_how_to_write_it_in_spanish(school: Tenant) -> None:
    admin = _spanish(school, make_user(school, Role.ADMINISTRATOR, name="Ana"))
    response = client_for(school, admin).post(
        "/school/fees/", {"name": "Viaje", "amount": "1.500,50"}
    )
    assert response.status_code == 400
    assert "1.500,50 no es un monto válido: escríbelo como 1,500.50 o 1500,50." in response.text
    with tenant_context(school):
        assert not FeeItem.objects.exists()
