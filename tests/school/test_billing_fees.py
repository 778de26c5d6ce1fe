"""A fee's name and amount can be changed for the invoices issued after (the ones already issued
keep what they were issued with), and a fee can be taken out of the catalogue (no longer
offered when issuing; its invoices keep it) and put back."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from school.clock import tenant_today
from school.models import FeeItem, Invoice
from school.services import invoices
from tenants.models import Tenant
from tests.factories import client_for
from tests.school.conftest import People

pytestmark = pytest.mark.django_db


def _issue(client: object, student_pk: int, fee_pk: int) -> object:
    due = (tenant_today() + timedelta(days=10)).isoformat()
    return client.post(  # type: ignore[attr-defined]
        "/school/invoices/new/", {"student": student_pk, "fee": fee_pk, "due_on": due}
    )


def test_editing_a_fee_changes_only_the_invoices_issued_after(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    # given a fee and an invoice issued from it
    with tenant_context(school):
        fee = invoices.fee_create(name="Tuition", amount="1200.00")
    admin = client_for(school, people.admin)
    assert _issue(admin, people.alice.pk, fee.pk).status_code == 302  # type: ignore[attr-defined]
    # when the administrator renames it and changes its amount
    form = admin.get(f"/school/fees/{fee.pk}/edit/")
    assert form.status_code == 200 and 'value="Tuition"' in form.text
    response = admin.post(
        f"/school/fees/{fee.pk}/edit/", {"name": "Tuition 2027", "amount": "1,350.50"}
    )
    assert response.status_code == 302
    assert _issue(admin, people.bob.pk, fee.pk).status_code == 302  # type: ignore[attr-defined]
    # then the first invoice kept its description and amount; the new one has the new ones
    with tenant_context(school):
        fee.refresh_from_db()
        assert (fee.name, fee.amount) == ("Tuition 2027", Decimal("1350.50"))
        old = Invoice.objects.get(student=people.alice)
        new = Invoice.objects.get(student=people.bob)
    assert (old.description, old.amount) == ("Tuition", Decimal("1200.00"))
    assert (new.description, new.amount) == ("Tuition 2027", Decimal("1350.50"))
    assert old.fee_id == new.fee_id == fee.pk
    # and the other school's catalogue is untouched (and its admin cannot reach this fee)
    with tenant_context(school_b):
        assert not FeeItem.objects.exists()


def test_a_fee_edit_with_a_bad_amount_or_a_taken_name_changes_nothing(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        fee = invoices.fee_create(name="Tuition", amount="1200.00")
        invoices.fee_create(name="Bus", amount="80.00")
    admin = client_for(school, people.admin)
    for data, message in (
        ({"name": "Tuition", "amount": "1,5,0"}, "is not an amount"),
        ({"name": "bus", "amount": "100"}, "already has a fee called bus"),
        ({"name": "", "amount": "100"}, "This field is required."),
    ):
        response = admin.post(f"/school/fees/{fee.pk}/edit/", data)
        assert response.status_code == 400 and message in response.text, data
    with tenant_context(school):
        fee.refresh_from_db()
        assert (fee.name, fee.amount) == ("Tuition", Decimal("1200.00"))


def test_a_fee_out_of_the_catalogue_is_not_offered_but_its_invoices_keep_it(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        fee = invoices.fee_create(name="Field trip", amount="35.00")
    admin = client_for(school, people.admin)
    assert _issue(admin, people.alice.pk, fee.pk).status_code == 302  # type: ignore[attr-defined]
    # when the administrator takes it out of the catalogue
    assert admin.post(f"/school/fees/{fee.pk}/deactivate/").status_code == 302
    # then "Issue an invoice" no longer offers it, and issuing it anyway is refused
    assert f'value="{fee.pk}"' not in admin.get("/school/invoices/new/").text
    refused = _issue(admin, people.bob.pk, fee.pk)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    # and the invoice already issued still names it
    with tenant_context(school):
        invoice = Invoice.objects.get()
        assert invoice.fee_id == fee.pk and Invoice.objects.count() == 1
    assert "Field trip" in admin.get(f"/school/invoices/{invoice.pk}/").text
    # and the catalogue lists it as not in use, with a way back
    page = admin.get("/school/fees/").text
    assert f"/school/fees/{fee.pk}/reactivate/" in page
    assert admin.post(f"/school/fees/{fee.pk}/deactivate/").status_code == 409
    assert admin.post(f"/school/fees/{fee.pk}/reactivate/").status_code == 302
    assert f'value="{fee.pk}"' in admin.get("/school/invoices/new/").text


def test_only_administrators_edit_fees_and_unknown_fees_are_404(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    with tenant_context(school):
        fee = invoices.fee_create(name="Tuition", amount="1200.00")
    student = client_for(school, people.alice)
    assert student.get(f"/school/fees/{fee.pk}/edit/").status_code == 403
    assert student.post(f"/school/fees/{fee.pk}/deactivate/").status_code == 403
    admin = client_for(school, people.admin)
    assert admin.get(f"/school/fees/{fee.pk + 1000}/edit/").status_code == 404
    assert admin.post(f"/school/fees/{fee.pk + 1000}/deactivate/").status_code == 404
    with tenant_context(school):
        assert FeeItem.objects.get().is_active
