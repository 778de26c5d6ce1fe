"""The operators' console: only operators get in; they see every tenant with its figures,
onboard, suspend and reactivate, and manage domains, and each change is real at once."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.sites.models import Site
from django.test import Client
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django_tenants.utils import schema_context, tenant_context

from accounts.roles import Role
from tenants.models import Domain, Tenant, TenantStatus
from tests.console.factories import PUBLIC_DOMAIN, console_client, make_operator
from tests.factories import client_for, make_user, session_for

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = ["/", "/monitor/", "/tenants/new/", "/tenants/school_a/"]


# --- who gets in ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_strangers_are_sent_to_sign_in(path: str) -> None:
    response = console_client().get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_public_users_who_are_not_operators_get_404(path: str) -> None:
    # given a staff member without the operator role, and an operator role without staff
    for user in (make_operator(role=Role.ADMINISTRATOR), make_operator(is_staff=False)):
        response = console_client(user).get(path)
        assert response.status_code == 404
        assert b"Alpha School" not in response.content


def test_a_tenant_administrators_session_is_no_login_on_the_operators_site(
    school: Tenant,
) -> None:
    # given a school administrator's real session cookie, carried to the operators' site
    admin = make_user(school, Role.ADMINISTRATOR)
    browser = Client(HTTP_HOST=PUBLIC_DOMAIN)
    browser.cookies["sessionid"] = session_for(school, admin)
    # then the console does not know them
    assert browser.get("/")["Location"].startswith("/accounts/login/")
    assert browser.post("/tenants/school_a/status/", {"action": "suspend"}).status_code == 302
    school.refresh_from_db()
    assert school.status == TenantStatus.ACTIVE


def test_the_console_does_not_exist_on_a_tenants_domain(school: Tenant) -> None:
    admin = make_user(school, Role.ADMINISTRATOR)
    for path in ("/tenants/new/", "/monitor/", "/metrics"):
        assert client_for(school, admin).get(path).status_code == 404


# --- the tenants list and a tenant's page --------------------------------------------------


def test_operator_sees_every_tenant_with_kind_domains_status_users_and_date(
    school: Tenant, clinic_b: Tenant
) -> None:
    # given two users in school_a (plus its administrator) and none added in clinic_b
    make_user(school, Role.STUDENT)
    make_user(school, Role.STUDENT)
    with tenant_context(school):
        from accounts.models import User

        school_users = User.objects.count()
    operator = make_operator()
    page = console_client(operator).get("/")
    assert page.status_code == 200
    html = page.content.decode()
    row = html.split('data-slug="school_a"')[1].split("</tr>")[0]
    assert "Alpha School" in row and "School" in row and "alpha-school.test" in row
    assert "Active" in row and f'<td class="num">{school_users}</td>' in row
    assert date_format(localtime(school.created_at), "SHORT_DATETIME_FORMAT") in row
    clinic_row = html.split('data-slug="clinic_b"')[1].split("</tr>")[0]
    assert "Dental clinic" in clinic_row and "beta-dental.test" in clinic_row
    # the public site and the template are not tenants
    assert 'data-slug="public"' not in html and "aviso_template" not in html


def test_tenant_page_shows_live_sections_and_never_polls(school: Tenant) -> None:
    page = console_client(make_operator()).get("/tenants/school_a/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="live" data-slug="school_a"' in html and "console/tenant.js" in html
    assert "console/console.js" in html
    # provisioning follows the operators' socket: no JSON endpoint, no timers
    assert "setTimeout" not in html and "fetch(" not in html
    assert console_client(make_operator()).get("/tenants/school_a/progress/").status_code == 404


def test_unknown_tenant_page_is_404(school: Tenant) -> None:
    assert console_client(make_operator()).get("/tenants/nobody_here/").status_code == 404


# --- onboarding ------------------------------------------------------------------------------


def test_onboarding_form_registers_the_tenant_and_opens_its_page(school: Tenant) -> None:
    browser = console_client(make_operator())
    response = browser.post(
        "/tenants/new/",
        {
            "name": "Kilo School",
            "slug": "kilo_school",
            "kind": "school",
            "domains": "kilo.test, www.kilo.test",
            "admin_email": "head@kilo.test",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/tenants/kilo_school/"
    tenant = Tenant.objects.get(schema_name="kilo_school")
    assert tenant.status == TenantStatus.PROVISIONING
    page = browser.get("/tenants/kilo_school/")
    # the progress box is shown, and the page's script asks the socket for it
    assert b'id="provisioning" data-slug="kilo_school"' in page.content
    assert b"Queued" in page.content


def test_bad_onboarding_input_is_shown_on_the_form_and_nothing_is_made(school: Tenant) -> None:
    response = console_client(make_operator()).post(
        "/tenants/new/",
        {
            "name": "Lima",
            "slug": "lima_school",
            "kind": "school",
            "domains": "beta-school.test",
            "admin_email": "head@lima.test",
        },
    )
    assert response.status_code == 400
    assert b"already taken" in response.content
    assert not Tenant.objects.filter(schema_name="lima_school").exists()


# --- suspension ------------------------------------------------------------------------------


def test_suspending_from_the_console_closes_the_site_and_its_sockets_after_commit(
    school: Tenant,
    school_b: Tenant,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    student = make_user(school, Role.STUDENT)
    browser = console_client(make_operator())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = browser.post("/tenants/school_a/status/", {"action": "suspend", "confirm": "on"})
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.status == TenantStatus.SUSPENDED
    assert client_for(school, student).get("/school/").status_code == 403
    # the close-all message leaves only once the change has committed
    assert len(callbacks) == 1
    # the other school is untouched; reactivating opens the site again
    neighbour = client_for(school_b, make_user(school_b, Role.STUDENT))
    assert neighbour.get("/school/").status_code == 200
    assert browser.post("/tenants/school_a/status/", {"action": "reactivate"}).status_code == 302
    assert client_for(school, student).get("/school/").status_code == 200


def test_status_change_refusals(school: Tenant) -> None:
    browser = console_client(make_operator())
    assert browser.post("/tenants/school_a/status/", {"action": "delete"}).status_code == 400
    assert browser.post("/tenants/public/status/", {"action": "suspend"}).status_code == 404
    assert browser.post("/tenants/aviso_template/status/", {"action": "suspend"}).status_code == 404
    assert browser.get("/tenants/school_a/status/").status_code == 405


# --- domains ---------------------------------------------------------------------------------


def test_added_domain_leads_to_the_tenant_and_removed_one_leads_nowhere(school: Tenant) -> None:
    browser = console_client(make_operator())
    response = browser.post("/tenants/school_a/domains/", {"domain": "Mail.Alpha-School.test"})
    assert response.status_code == 302
    assert Domain.objects.get(domain="mail.alpha-school.test").tenant_id == school.pk
    assert Client(HTTP_HOST="mail.alpha-school.test").get("/school/").status_code == 302  # login
    change = "/tenants/school_a/domains/change/"
    response = browser.post(change, {"domain": "mail.alpha-school.test", "action": "remove"})
    assert response.status_code == 302
    assert Client(HTTP_HOST="mail.alpha-school.test").get("/").status_code == 404


def test_a_taken_or_bad_domain_is_refused_with_a_message(school: Tenant, school_b: Tenant) -> None:
    browser = console_client(make_operator())
    for domain, message in [
        ("beta-school.test", b"already taken"),
        (PUBLIC_DOMAIN, b"operators"),
        ("not a domain", b"not a valid domain"),
    ]:
        response = browser.post("/tenants/school_a/domains/", {"domain": domain})
        assert response.status_code == 400, domain
        assert message in response.content
    assert Domain.objects.get(domain="beta-school.test").tenant_id == school_b.pk
    assert Domain.objects.filter(tenant=school).count() == 1


def test_the_last_domain_cannot_be_removed(school: Tenant) -> None:
    browser = console_client(make_operator())
    response = browser.post(
        "/tenants/school_a/domains/change/", {"domain": "alpha-school.test", "action": "remove"}
    )
    assert response.status_code == 409 and b"only domain" in response.content
    assert Domain.objects.filter(tenant=school, domain="alpha-school.test").exists()


def test_another_tenants_domain_cannot_be_removed_through_this_one(
    school: Tenant, school_b: Tenant
) -> None:
    browser = console_client(make_operator())
    response = browser.post(
        "/tenants/school_a/domains/change/", {"domain": "beta-school.test", "action": "remove"}
    )
    assert response.status_code == 409
    assert Domain.objects.filter(tenant=school_b, domain="beta-school.test").exists()


def test_removing_the_primary_promotes_another_and_moves_the_site(school: Tenant) -> None:
    browser = console_client(make_operator())
    browser.post("/tenants/school_a/domains/", {"domain": "new-alpha.test"})
    change = "/tenants/school_a/domains/change/"
    removed = browser.post(change, {"domain": "alpha-school.test", "action": "remove"})
    assert removed.status_code == 302
    primary = Domain.objects.get(tenant=school)
    assert primary.domain == "new-alpha.test" and primary.is_primary
    with schema_context("school_a"):
        assert Site.objects.get().domain == "new-alpha.test"


def test_non_operators_cannot_change_domains(school: Tenant) -> None:
    browser = console_client(make_operator(role=Role.ADMINISTRATOR))
    assert browser.post("/tenants/school_a/domains/", {"domain": "x-alpha.test"}).status_code == 404
    assert not Domain.objects.filter(domain="x-alpha.test").exists()
