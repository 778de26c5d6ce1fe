"""A tenant's language, currency and time zone: chosen at onboarding (the console's form, the
service), checked there (a language we have, an ISO currency, a real time zone), changed
later with tenant_set_locale; its first administrator is invited in its language, and its
pages follow at once."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from tenants.models import Tenant
from tenants.services import OnboardingError, tenant_create, tenant_provision, tenant_set_locale
from tests.console.factories import console_client, make_operator
from tests.factories import client_for

pytestmark = pytest.mark.django_db

ONBOARDING = {
    "name": "Kilo School",
    "slug": "kilo_school",
    "kind": "school",
    "domains": "kilo.test",
    "admin_email": "head@kilo.test",
}


def test_the_onboarding_form_sets_language_currency_and_time_zone(school: Tenant) -> None:
    browser = console_client(make_operator())
    # the form offers the three fields, with the defaults filled in
    form = browser.get("/tenants/new/").content.decode()
    for field in ('name="default_language"', 'name="currency"', 'name="time_zone"'):
        assert field in form
    assert 'value="USD"' in form and 'value="UTC"' in form
    # when an operator onboards a Mexican school with them
    response = browser.post(
        "/tenants/new/",
        {
            **ONBOARDING,
            "default_language": "es-mx",
            "currency": "mxn",
            "time_zone": "America/Mexico_City",
        },
    )
    # then the tenant has them
    assert response.status_code == 302
    tenant = Tenant.objects.get(schema_name="kilo_school")
    assert (tenant.default_language, tenant.currency, tenant.timezone) == (
        "es-mx",
        "MXN",
        "America/Mexico_City",
    )


def test_the_onboarding_form_keeps_the_defaults_when_left_empty(school: Tenant) -> None:
    response = console_client(make_operator()).post(
        "/tenants/new/", {**ONBOARDING, "default_language": "", "currency": "", "time_zone": ""}
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(schema_name="kilo_school")
    assert (tenant.default_language, tenant.currency, tenant.timezone) == ("en", "USD", "UTC")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "Give a time zone such as America/Mexico_City or UTC."),
        ("time_zone", "../../etc/passwd", "Give a time zone such as America/Mexico_City or UTC."),
        ("currency", "PESOS", "Ensure this value has at most 3 characters"),
        ("currency", "XYZ", "Give a currency as its three-letter code, such as MXN or USD."),
        ("currency", "M1N", "Give a currency as its three-letter code, such as MXN or USD."),
        ("default_language", "fr", "Select a valid choice."),
    ],
)
def test_a_bad_language_currency_or_time_zone_is_shown_on_the_form(
    school: Tenant, field: str, value: str, message: str
) -> None:
    response = console_client(make_operator()).post("/tenants/new/", {**ONBOARDING, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Tenant.objects.filter(schema_name="kilo_school").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("default_language", "de"), ("currency", "usd1"), ("time_zone", "Nowhere/City")],
)
def test_the_service_refuses_what_the_form_would(school: Tenant, field: str, value: str) -> None:
    request: dict[str, Any] = {**ONBOARDING, "domains": ["kilo.test"], field: value}
    with pytest.raises(OnboardingError) as refused:
        tenant_create(**request, provision_async=False)
    assert refused.value.field == field


def test_the_first_administrator_is_invited_in_the_tenants_language(
    school: Tenant, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tenant = tenant_create(
            name="Escuela Lima",
            slug="lima_school",
            kind="school",
            domains=["lima.test"],
            admin_email="directora@lima.test",
            default_language="es-mx",
            provision_async=False,
        )
        tenant_provision(tenant=tenant)
    (invite,) = [m for m in mail.outbox if "directora@lima.test" in m.to]
    assert invite.subject == "Te invitamos a Escuela Lima en Aviso"
    assert "El equipo de Aviso te creó una cuenta en Escuela Lima (Administrador)." in invite.body
    assert "http://lima.test" in invite.body


def test_changing_a_tenants_locale_changes_its_pages_at_once(
    school: Tenant, school_b: Tenant
) -> None:
    # when the school switches to Spanish, pesos and Mexico City
    tenant_set_locale(
        tenant=school, default_language="es-mx", currency="MXN", time_zone="America/Mexico_City"
    )
    # then its pages are Spanish, in its zone, and the other school's are as they were
    page = client_for(school).get("/accounts/login/").content.decode()
    assert 'lang="es-MX" data-time-zone="America/Mexico_City"' in page
    other = client_for(school_b).get("/accounts/login/").content.decode()
    assert 'lang="en" data-time-zone="UTC"' in other
    school.refresh_from_db()
    assert school.currency == "MXN"
    with pytest.raises(OnboardingError):
        tenant_set_locale(tenant=school, default_language="es-mx", currency="MXN", time_zone="x")


def test_an_operator_changes_a_tenants_settings_in_the_console(
    school: Tenant, school_b: Tenant
) -> None:
    browser = console_client(make_operator())
    # the tenant's page shows its language, currency and time zone, with a way to change them
    detail = browser.get(f"/tenants/{school.schema_name}/").content.decode()
    assert "English · USD · UTC" in detail and f"/tenants/{school.schema_name}/settings/" in detail
    form = browser.get(f"/tenants/{school.schema_name}/settings/").content.decode()
    assert 'value="USD"' in form and 'value="UTC"' in form
    # a bad time zone is shown on the form and changes nothing
    refused = browser.post(
        f"/tenants/{school.schema_name}/settings/",
        {"default_language": "es-mx", "currency": "MXN", "time_zone": "Mars/Base"},
    )
    assert refused.status_code == 400
    assert "Give a time zone such as America/Mexico_City or UTC." in refused.content.decode()
    school.refresh_from_db()
    assert school.default_language == "en"
    # when the operator saves Spanish, pesos and Mexico City
    saved = browser.post(
        f"/tenants/{school.schema_name}/settings/",
        {"default_language": "es-mx", "currency": "MXN", "time_zone": "America/Mexico_City"},
        follow=True,
    )
    page = saved.content.decode()
    assert "Alpha School&#x27;s settings are saved." in page or "Alpha School's settings" in page
    assert "Español (México) · MXN · America/Mexico_City" in page
    # then the school's pages follow, and the other school's do not
    assert 'lang="es-MX"' in client_for(school).get("/accounts/login/").content.decode()
    assert 'lang="en"' in client_for(school_b).get("/accounts/login/").content.decode()
    # and an unknown tenant has no settings page
    assert browser.get("/tenants/nobody_here/settings/").status_code == 404


def test_the_onboarding_command_sets_language_currency_and_time_zone(school: Tenant) -> None:
    from django.core.management import call_command

    # when an operator onboards a clinic from a shell with its defaults
    call_command(
        "onboard_tenant",
        "--name=Sonrisa",
        "--slug=sonrisa_clinic",
        "--kind=clinic",
        "--domain=sonrisa.test",
        "--admin-email=admin@sonrisa.test",
        "--language=es-mx",
        "--currency=MXN",
        "--time-zone=America/Mexico_City",
    )
    # then the tenant has them
    tenant = Tenant.objects.get(schema_name="sonrisa_clinic")
    assert (tenant.default_language, tenant.currency, tenant.timezone) == (
        "es-mx",
        "MXN",
        "America/Mexico_City",
    )
