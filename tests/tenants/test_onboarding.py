"""Onboarding makes a usable tenant from the template in one step; every bad request is
refused with one clear message and leaves nothing behind (no row, no domain, no schema)."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_context, schema_exists

from accounts.models import User
from tenants.db import use_public_schema
from tenants.models import Domain, Tenant, TenantStatus
from tenants.progress import progress_read
from tenants.services import OnboardingError, tenant_create, tenant_provision
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _nothing_left(slug: str, domain: str) -> bool:
    return (
        not Tenant.objects.filter(schema_name=slug).exists()
        and not Domain.objects.filter(domain=domain).exists()
        and not schema_exists(slug)
    )


def test_onboarding_makes_a_tenant_whose_administrator_can_sign_in(
    school: Tenant, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # when an operator onboards a clinic
    with django_capture_on_commit_callbacks(execute=True):
        tenant = tenant_create(
            name="Gamma Dental",
            slug="gamma_dental",
            kind="clinic",
            domains=["gamma.test", "www-gamma.test"],
            admin_email="Boss@Gamma.test",
            provision_async=False,
        )
        tenant_provision(tenant=tenant)
    # then it is active, on its domains, with a cloned schema and its own Site
    tenant.refresh_from_db()
    assert tenant.status == TenantStatus.ACTIVE
    assert set(tenant.domains.values_list("domain", flat=True)) == {"gamma.test", "www-gamma.test"}
    assert progress_read(slug="gamma_dental") is not None
    with schema_context("gamma_dental"):
        from django.contrib.sites.models import Site

        assert Site.objects.get().domain == "gamma.test"
        admin = User.objects.get()
        assert admin.email == "boss@gamma.test" and admin.role == "administrator"
    # and the administrator got an invitation whose link lets them choose a password
    (invite,) = [m for m in mail.outbox if "boss@gamma.test" in m.to]
    link = re.search(r"http://gamma\.test\S+", str(invite.body))
    assert link, invite.body
    path = link.group(0).removeprefix("http://gamma.test")
    from django.test import Client

    browser = Client(HTTP_HOST="gamma.test")
    form = browser.get(path, follow=True)
    assert form.status_code == 200
    set_password = browser.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": PASSWORD, "password2": PASSWORD},
    )
    assert set_password.status_code == 302
    # and can then sign in on the clinic's domain, and not on another tenant's
    fresh = Client(HTTP_HOST="gamma.test")
    login = fresh.post("/accounts/login/", {"login": "boss@gamma.test", "password": PASSWORD})
    assert login.status_code == 302, login.content[:500]
    assert fresh.get("/clinic/").status_code == 200
    elsewhere = Client(HTTP_HOST="alpha-school.test")
    refused = elsewhere.post("/accounts/login/", {"login": "boss@gamma.test", "password": PASSWORD})
    assert refused.status_code == 200 and b"not correct" in refused.content
    use_public_schema()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "school_a"}, "slug", "already exists"),
        ({"slug": "public"}, "slug", "reserved"),
        ({"slug": "pg_catalog2"}, "slug", "reserved"),
        ({"slug": "Bad-Slug"}, "slug", "not a valid slug"),
        ({"slug": "x"}, "slug", "not a valid slug"),
        ({"slug": "a" * 40}, "slug", "not a valid slug"),
        ({"domains": ["alpha-school.test"]}, "domains", "already taken"),
        ({"domains": ["aviso.test"]}, "domains", "already taken"),
        ({"domains": ["not a domain"]}, "domains", "not a valid domain"),
        ({"domains": []}, "domains", "At least one domain"),
        ({"kind": "bakery"}, "kind", "Unknown kind"),
        ({"admin_email": "nobody"}, "admin_email", "not a valid e-mail"),
        ({"name": "  "}, "name", "required"),
    ],
)
def test_bad_onboarding_requests_are_refused_and_leave_nothing(
    school: Tenant, changes: dict[str, object], field: str, message: str
) -> None:
    request: dict[str, object] = {
        "name": "Delta",
        "slug": "delta_school",
        "kind": "school",
        "domains": ["delta.test"],
        "admin_email": "head@delta.test",
    }
    request.update(changes)
    with pytest.raises(OnboardingError) as refused:
        tenant_create(**request, provision_async=False)  # type: ignore[arg-type]
    assert refused.value.field == field and message in refused.value.text
    assert _nothing_left("delta_school", "delta.test")


def test_failed_provisioning_rolls_everything_back(school: Tenant) -> None:
    # given a valid request whose provisioning fails half way (the administrator's address
    # already exists in the template, as if someone had put a user there)
    tenant = tenant_create(
        name="Echo",
        slug="echo_school",
        kind="school",
        domains=["echo.test"],
        admin_email="dup@echo.test",
        provision_async=False,
    )
    with schema_context("aviso_template"):
        User.objects.create_user(email="dup@echo.test", role="administrator")
    try:
        with pytest.raises(Exception, match="already has an account"):
            tenant_provision(tenant=tenant)
    finally:
        with schema_context("aviso_template"):
            User.objects.filter(email="dup@echo.test").delete()
    # then no schema, tenant or domain remains, and the operator can read why
    assert _nothing_left("echo_school", "echo.test")
    progress = progress_read(slug="echo_school")
    assert (
        progress and progress["state"] == "failed" and "already has an account" in progress["error"]
    )


def test_onboard_command_reports_bad_input_in_one_line(school: Tenant) -> None:
    with pytest.raises(CommandError, match=r"^slug: 'public' is reserved; choose another slug\.$"):
        call_command(
            "onboard_tenant",
            name="X",
            slug="public",
            kind="school",
            domains=["x.test"],
            admin_email="a@x.test",
        )


def test_onboard_command_provisions_with_progress(
    school: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "onboard_tenant",
        name="Foxtrot",
        slug="foxtrot",
        kind="school",
        domains=["foxtrot.test"],
        admin_email="a@foxtrot.test",
    )
    out = capsys.readouterr().out
    assert "100%" in out and "Foxtrot is ready at foxtrot.test" in out
    assert Tenant.objects.get(schema_name="foxtrot").status == TenantStatus.ACTIVE
    use_public_schema()
