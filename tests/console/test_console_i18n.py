"""The operators' console in Mexican Spanish: its pages, its forms and the refusals of the
tenant registry, the labels its scripts show for the socket's codes, and its scripts' own
words (the JavaScript catalogue). English stays the default.

The pages are rendered by calling the views with the language active, as the language
middleware leaves it for an operator who chose Spanish; which language an operator gets is
the language middleware's rule, tested with it."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import set_urlconf
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime

from accounts.models import User
from console import views
from tenants.models import Tenant, TenantStatus
from tenants.services import OnboardingError, tenant_create
from tests.console.factories import PUBLIC_DOMAIN, console_client, make_operator, public_tenant

pytestmark = pytest.mark.django_db

SPANISH = "es-mx"
NAV = ["Escuelas y clínicas", "Monitor en vivo", "Incorporar escuela o clínica"]
# The console's English words, none of which may be left on a Spanish page.
ENGLISH = ["Tenants", "Live monitor", "Onboard a school", "Suspend", "Domains", "Status"]


def console_page(
    view: Callable[..., HttpResponse],
    operator: User,
    *args: str,
    language: str = SPANISH,
    data: dict[str, str] | None = None,
) -> tuple[int, str]:
    """A console view's answer to `operator` with `language` active: status and text."""
    factory = RequestFactory(HTTP_HOST=PUBLIC_DOMAIN)
    request = factory.post("/", data) if data is not None else factory.get("/")
    request.user = operator
    request.tenant = public_tenant()
    request.LANGUAGE_CODE = language
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    set_urlconf(settings.PUBLIC_SCHEMA_URLCONF)
    try:
        with translation.override(language):
            response = view(request, *args)
    finally:
        set_urlconf(None)
    return response.status_code, response.content.decode()


def assert_spanish(html: str, *texts: str) -> None:
    for text in [*NAV, *texts]:
        assert text in html, f"{text!r} missing"
    for english in ENGLISH:
        assert f">{english}<" not in html and f"{english} " not in html, english


def labels_of(html: str) -> dict[str, dict[str, str]]:
    """The labels the page hands its scripts (console/templatetags/console_labels.py)."""
    script = html.split('<script id="console-labels" type="application/json">')[1]
    labels: dict[str, dict[str, str]] = json.loads(script.split("</script>")[0])
    return labels


def test_the_tenants_list_in_spanish(school: Tenant, clinic_b: Tenant) -> None:
    status, html = console_page(views.console_home, make_operator())
    assert status == 200
    row = html.split('data-slug="school_a"')[1].split("</tr>")[0]
    assert "Escuela" in row and "Activa" in row
    # one date-time format per language, the locale's (no format written in the template)
    with translation.override(SPANISH):
        created = date_format(localtime(school.created_at), "SHORT_DATETIME_FORMAT")
    assert created in row
    assert "Clínica dental" in html.split('data-slug="clinic_b"')[1].split("</tr>")[0]
    assert_spanish(html, "Identificador", "Usuarios", "En línea", "Fecha de alta")


def test_a_tenants_page_in_spanish(school: Tenant) -> None:
    status, html = console_page(views.tenant_detail, make_operator(), "school_a")
    assert status == 200
    assert_spanish(
        html,
        "Identificador / esquema",
        "Primer administrador",
        ">Suspender</button>",
        "Suspender cierra sus conexiones abiertas al instante",
        "Agregar dominio",
        "Sockets abiertos",
        "Notificaciones entregadas /min",
        '<dd id="tenant-status" class="status-active">Activa</dd>',
    )
    # the scripts name the socket's codes with the page's words
    labels = labels_of(html)
    assert labels["status"]["suspended"] == "Suspendida"
    assert labels["step"]["cloning"] == "Clonando el esquema plantilla"
    assert labels["kind"]["clinic"] == "Clínica dental"


def test_a_suspended_tenants_page_offers_reactivation_in_spanish(school: Tenant) -> None:
    Tenant.objects.filter(pk=school.pk).update(status=TenantStatus.SUSPENDED)
    _, html = console_page(views.tenant_detail, make_operator(), "school_a")
    assert ">Reactivar</button>" in html and ">Suspendida</dd>" in html


def test_the_monitor_in_spanish(school: Tenant) -> None:
    status, html = console_page(views.console_monitor, make_operator())
    assert status == 200
    assert_spanish(html, "Errores y rechazos", "Tareas fallidas", "Conectando…", "Plataforma")
    assert "/jsi18n/" in html  # the scripts' catalogue, before them


def test_onboarding_in_spanish_with_its_refusals(school: Tenant) -> None:
    operator = make_operator()
    status, html = console_page(views.tenant_onboard, operator)
    assert status == 200
    assert_spanish(
        html,
        "Correo electrónico del primer administrador",
        "En minúsculas; también es el nombre del esquema en la base de datos.",
        ">Crear escuela o clínica</button>",
    )
    # when the form is sent without the administrator's e-mail, and then with a taken domain
    request = {"name": "Delta", "slug": "delta_school", "kind": "school", "domains": "delta.test"}
    missing = console_page(views.tenant_onboard, operator, data=request)
    request.update(domains="alpha-school.test", admin_email="head@delta.test")
    taken = console_page(views.tenant_onboard, operator, data=request)
    # then Django's refusal and the registry's are both in Spanish
    assert missing[0] == 400 and "Este campo es obligatorio." in missing[1]
    assert taken[0] == 400 and "El dominio alpha-school.test ya está en uso." in taken[1]
    assert not Tenant.objects.filter(schema_name="delta_school").exists()


def test_the_registrys_refusals_follow_the_language(school: Tenant) -> None:
    request: dict[str, Any] = {
        "name": "Delta",
        "slug": "public",
        "kind": "school",
        "domains": ["delta.test"],
        "admin_email": "head@delta.test",
        "provision_async": False,
    }
    for language, text in [
        ("en", "'public' is reserved; choose another slug."),
        (SPANISH, "“public” está reservado; elija otro identificador."),
    ]:
        with translation.override(language), pytest.raises(OnboardingError) as refused:
            tenant_create(**request)
        assert refused.value.text == text


def test_a_refused_domain_change_shows_the_tenants_page_with_the_reason(school: Tenant) -> None:
    # given a school with one domain, when an operator removes it
    response = console_client(make_operator()).post(
        "/tenants/school_a/domains/change/", {"domain": "alpha-school.test", "action": "remove"}
    )
    # then the page says why, on the tenant's own page
    html = response.content.decode()
    assert response.status_code == 409
    assert (
        '<ul class="messages" role="alert"><li class="error">alpha-school.test is the only' in html
    )
    assert 'id="domains"' in html


def test_suspending_says_what_happened(school: Tenant) -> None:
    browser = console_client(make_operator())
    page = browser.post(
        "/tenants/school_a/status/", {"action": "suspend", "confirm": "on"}, follow=True
    )
    assert "Alpha School is suspended: its pages and live connections are closed." in (
        page.content.decode()
    )
    page = browser.post("/tenants/school_a/status/", {"action": "reactivate"}, follow=True)
    assert "Alpha School is active again." in page.content.decode()


def test_the_scripts_catalogue_is_in_the_pages_language() -> None:
    # given a Mexican browser (the catalogue is the page's language, whoever asks)
    browser = Client(HTTP_HOST=PUBLIC_DOMAIN, HTTP_ACCEPT_LANGUAGE="es-MX")
    with translation.override(SPANISH):
        catalogue = browser.get("/jsi18n/")
    assert catalogue.status_code == 200
    script = catalogue.content.decode()
    for spanish in [
        "%(now)s ahora \u00b7 %(last)s en el \u00faltimo min",
        "el broker no responde",
        "el minuto en curso y el \u00faltimo completo (de %(count)s en pantalla)",
    ]:
        assert json.dumps(spanish)[1:-1] in script, spanish


def test_english_stays_the_default(school: Tenant) -> None:
    _, html = console_page(views.console_home, make_operator(), language="en")
    assert "Onboard a school or clinic" in html and "Escuelas" not in html
    assert labels_of(html)["status"]["suspended"] == "Suspended"
