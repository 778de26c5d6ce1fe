"""The billing run pages as an administrator uses them: the list, the "New billing run" form
(levels and groups with their students counted), a run's page with its progress and then what
it issued and skipped; every bad request answered with the form and a reason, never a 500."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils.html import escape
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from school.clock import tenant_currency, tenant_today
from school.models import BillingRun, Invoice
from school.money import money_text
from school.services.invoices import fee_set_active
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.billing_data import Billing, billing_school
from tests.school.factories import make_billing_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def b(school: Tenant, school_b: Tenant) -> Billing:
    return billing_school(school, school_b)


def _form(b: Billing, **changes: str) -> dict[str, str]:
    return {
        "fee": str(b.fee.pk),
        "audience": f"group:{b.group_a.pk}",
        "due_on": b.due_on.isoformat(),
        **changes,
    }


def test_an_administrator_bills_a_group_and_reads_what_was_issued_and_skipped(
    school: Tenant, b: Billing, on_commit: Any
) -> None:
    admin = client_for(school, b.admin)
    # given no runs yet
    page = admin.get("/school/billing-runs/")
    assert page.status_code == 200 and "No billing runs yet." in page.text
    # the form offers the catalogue's fees, each level and each group with its students
    form = admin.get("/school/billing-runs/new/")
    assert form.status_code == 200
    assert "Tuition September" in form.text
    assert "3° (4 students)" in form.text and "4° (1 student)" in form.text
    assert "3° A (3 students)" in form.text and "3° C (0 students)" in form.text
    # when she bills September's tuition to 3° A (the worker runs once the start commits)
    with on_commit(execute=True):
        response = admin.post("/school/billing-runs/new/", _form(b))
    assert response.status_code == 302
    with tenant_context(school):
        run = BillingRun.objects.get()
        ana_invoice = Invoice.objects.get(student=b.ana)
    assert response["Location"] == f"/school/billing-runs/{run.pk}/"
    # then the run's page says what it did: who was billed (with the invoice), who not and why
    page = admin.get(response["Location"])
    assert page.status_code == 200
    assert "2 invoices issued, 1 student skipped." in page.text
    assert ana_invoice.number in page.text and "Beto" in page.text
    assert "Cami" in page.text and "No guardian linked to pay it" in page.text
    assert 'data-status="done"' in page.text and "<progress" not in page.text
    # and the list shows the run with its counts
    listing = admin.get("/school/billing-runs/")
    assert f"/school/billing-runs/{run.pk}/" in listing.text and "3° A" in listing.text


def test_a_run_not_yet_done_shows_its_progress_and_the_topic_it_listens_on(
    school: Tenant, b: Billing
) -> None:
    # given a run queued (the worker has not started it)
    with tenant_context(school):
        run = make_billing_run(
            b.fee,
            by=b.admin,
            due_on=b.due_on,
            level="3°",
            student_count=4,
        )
    page = client_for(school, b.admin).get(f"/school/billing-runs/{run.pk}/")
    assert page.status_code == 200
    assert "Queued" in page.text and "Level 3°" in page.text
    assert "0 of 4 students done: 0 invoices issued" in page.text
    assert 'data-topic="school.billing_run"' in page.text
    assert f"data-topic-params='{{\"run_id\":{run.pk}}}'" in page.text
    fragment = client_for(school, b.admin).get(f"/school/billing-runs/{run.pk}/fragment/")
    assert fragment.status_code == 200 and 'data-status="queued"' in fragment.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"audience": "group:{empty}"}, "3° C has no students: there is no one to bill."),
        ({"audience": "group:abc"}, "Select a valid choice."),
        ({"audience": "group:999999"}, "Select a valid choice."),
        ({"audience": "level:9°"}, "Select a valid choice."),
        ({"audience": ""}, "This field is required."),
        ({"fee": "999999"}, "Select a valid choice."),
        ({"due_on": "yesterday"}, "Give a date as YYYY-MM-DD."),
        ({"due_on": "{past}"}, "The due date cannot be in the past."),
    ],
)
def test_a_bad_request_gets_the_form_back_with_a_reason(
    school: Tenant, b: Billing, change: dict[str, str], message: str
) -> None:
    past = (tenant_today() - timedelta(days=1)).isoformat()
    data = {k: v.format(empty=b.empty.pk, past=past) for k, v in change.items()}
    response = client_for(school, b.admin).post("/school/billing-runs/new/", _form(b, **data))
    assert response.status_code == 400
    assert message in response.text
    assert "New billing run" in response.text
    with tenant_context(school):
        assert not BillingRun.objects.exists()


def test_a_fee_out_of_the_catalogue_is_not_offered_and_refused_by_name(
    school: Tenant, b: Billing
) -> None:
    with tenant_context(school):
        fee_set_active(fee=b.fee, active=False, by=b.admin)
    admin = client_for(school, b.admin)
    form = admin.get("/school/billing-runs/new/")
    assert "Tuition September" not in form.text
    assert "No fees in the catalogue yet" in form.text
    # a form sent from a page opened before it was taken out
    response = admin.post("/school/billing-runs/new/", _form(b))
    assert response.status_code == 400
    assert "Tuition September is no longer in the catalogue." in response.text


def test_the_same_run_twice_is_a_409_that_leads_to_the_first(
    school: Tenant, b: Billing, on_commit: Any
) -> None:
    admin = client_for(school, b.admin)
    with on_commit(execute=True):
        assert admin.post("/school/billing-runs/new/", _form(b)).status_code == 302
    response = admin.post("/school/billing-runs/new/", _form(b))
    assert response.status_code == 409
    with tenant_context(school):
        run = BillingRun.objects.get()
        assert Invoice.objects.count() == 2
    assert "already billed to 3° A" in response.text
    assert f'href="/school/billing-runs/{run.pk}/"' in response.text


def test_runs_are_for_this_schools_administrators_only(
    school: Tenant, school_b: Tenant, b: Billing, on_commit: Any
) -> None:
    with on_commit(execute=True):
        client_for(school, b.admin).post("/school/billing-runs/new/", _form(b))
    with tenant_context(school):
        run = BillingRun.objects.get()
    # the other school's administrator: no such run there
    assert client_for(school_b, b.admin_b).get(f"/school/billing-runs/{run.pk}/").status_code == 404
    # a teacher, a guardian: not their page
    teacher = make_user(school, Role.TEACHER)
    assert client_for(school, teacher).get(f"/school/billing-runs/{run.pk}/").status_code == 403
    assert client_for(school, b.guardian).get("/school/billing-runs/").status_code == 403
    assert client_for(school, b.admin).get("/school/billing-runs/424242/").status_code == 404


def test_the_overview_totals_are_one_fragment_per_role(
    school: Tenant, b: Billing, on_commit: Any
) -> None:
    with on_commit(execute=True):
        client_for(school, b.admin).post("/school/billing-runs/new/", _form(b))
    with tenant_context(school):
        currency = tenant_currency()

    def money(amount: str) -> str:
        return escape(money_text(Decimal(amount), currency))

    # the administrator's totals: what the school is owed
    admin = client_for(school, b.admin).get("/school/overview/totals/")
    assert admin.status_code == 200
    assert f"{money('3000')}</strong> outstanding" in admin.text
    # a guardian's: each child's "to pay"
    guardian = client_for(school, b.guardian).get("/school/overview/totals/")
    assert "Ana" in guardian.text and "Dani" in guardian.text
    assert f"{money('1500')}</strong> to pay" in guardian.text
    assert f"{money('0')}</strong> to pay" in guardian.text
    # a student's own
    ana = client_for(school, b.ana).get("/school/overview/totals/")
    assert f"{money('1500')}</strong> to pay" in ana.text
    # and the overview pages wrap them for overview.js
    page = client_for(school, b.admin).get("/school/")
    assert 'id="overview-totals"' in page.text and 'data-topic="school.totals"' in page.text
    assert "school/overview.js" in page.text


def test_a_spanish_speaking_administrator_reads_the_run_in_spanish(
    school: Tenant, b: Billing, on_commit: Any
) -> None:
    with tenant_context(school):
        User.objects.filter(pk=b.admin.pk).update(language="es-mx")
    admin = client_for(school, b.admin)
    form = admin.get("/school/billing-runs/new/")
    assert "Nueva facturación masiva" in form.text and "3° A (3 alumnos)" in form.text
    with on_commit(execute=True):
        response = admin.post("/school/billing-runs/new/", _form(b))
    page = admin.get(response["Location"])
    assert "2 facturas emitidas, 1 alumno omitido." in page.text
    assert "No tiene tutor vinculado que la pague" in page.text
    again = admin.post("/school/billing-runs/new/", _form(b))
    assert again.status_code == 409 and "No se emitió nada dos veces." in again.text


def test_a_stopped_run_says_so_and_its_button_starts_it_again(
    school: Tenant, b: Billing, on_commit: Any
) -> None:
    # given a run the worker gave up on before billing anyone
    with tenant_context(school):
        run = make_billing_run(
            b.fee,
            by=b.admin,
            due_on=b.due_on,
            group=b.group_a,
            status="failed",
            student_count=3,
            error="RuntimeError: boom",
        )
    admin = client_for(school, b.admin)
    page = admin.get(f"/school/billing-runs/{run.pk}/")
    assert "Stopped" in page.text and "The run stopped" in page.text
    assert "boom" not in page.text  # the error is for the operators, not the page
    assert "Start it again" in page.text
    # when the administrator presses it (what its hidden fields send)
    with on_commit(execute=True):
        response = admin.post(
            "/school/billing-runs/new/",
            {"fee": str(b.fee.pk), "audience": run.audience_key, "due_on": b.due_on.isoformat()},
        )
    # then the same run is run again and finishes
    assert response.status_code == 302
    assert response["Location"] == f"/school/billing-runs/{run.pk}/"
    page = admin.get(response["Location"])
    assert "2 invoices issued, 1 student skipped." in page.text
    assert "Start it again" not in page.text
