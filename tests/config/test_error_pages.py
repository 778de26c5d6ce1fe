"""Every error page is one of the product's own (templates/errors/, the product stylesheet), in
the visitor's language, with its status, and never Django's debug page or a bare text: 400,
403 (a refused role, a stale form), 404, 500, the database outage's 503, an unknown host, a
suspended tenant, an archived one and one still being set up. Anonymous visitors get the
language their browser asks for (Accept-Language: es-MX here); English stays the default.

Each page is reached the way a visitor reaches it: through the real middleware and URLconfs
(the 500 from a view that raises, in a copy of the school's URLconf with one failing page)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, HttpResponseBase
from django.test import Client, RequestFactory
from django.urls import get_resolver

from accounts.roles import Role
from config import errors
from config.outage import outage_response
from tenants.middleware import CLOSED_PAGES, URLCONF_BY_KIND, ClosedPage
from tenants.models import Tenant, TenantStatus
from tests.conftest import PUBLIC_DOMAIN
from tests.factories import client_for, domain_of, make_user

pytestmark = pytest.mark.django_db

SPANISH = "es-MX"
STYLESHEET = '<link rel="stylesheet" href="/static/aviso/aviso.css">'


def visitor(host: str, language: str | None = None) -> Client:
    """An anonymous browser; its language as a browser sends it. A failing view answers its
    500 page as in production instead of raising into the test."""
    headers = {"Accept-Language": language} if language else {}
    return Client(HTTP_HOST=host, raise_request_exception=False, headers=headers)


def assert_error_page(response: HttpResponseBase, status: int, language: str, *texts: str) -> None:
    """The product's error page: its status, its stylesheet, the language's own words, and
    nothing of Django's debug pages."""
    assert isinstance(response, HttpResponse)
    html = response.content.decode()
    assert response.status_code == status, html[:500]
    assert STYLESHEET in html and 'class="card narrow"' in html
    lang = "es-MX" if language == SPANISH else "en"  # BCP 47, as <html lang> writes it
    assert f'<html lang="{lang}">' in html and response["Content-Language"] == lang
    for text in texts:
        assert text in html, f"{text!r} missing from the {status} page"
    for debug in ("Traceback", "technical_500", "Django tried these URL patterns", "DEBUG"):
        assert debug not in html


@pytest.fixture(autouse=True)
def _not_debug() -> None:
    # What every test here is about: a deployment's pages (the test settings default).
    assert settings.DEBUG is False


@pytest.fixture
def failing_school_page() -> Iterator[None]:
    """Schools are served by tests/config/raising_urls.py: /fails/ raises."""
    previous = URLCONF_BY_KIND["school"]
    URLCONF_BY_KIND["school"] = "tests.config.raising_urls"
    try:
        yield
    finally:
        URLCONF_BY_KIND["school"] = previous


def _set_status(tenant: Tenant, status: str) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(status=status)


# --- 404 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (None, ["Page not found", "Go to the home page"]),
        (SPANISH, ["Página no encontrada", "Ir a la página de inicio"]),
    ],
)
def test_a_missing_page_answers_404_on_a_tenants_site_and_the_operators(
    school: Tenant, language: str | None, texts: list[str]
) -> None:
    for host, brand in [(domain_of(school), "Alpha School"), (PUBLIC_DOMAIN, "Aviso")]:
        response = visitor(host, language).get("/no/such/page/")
        assert_error_page(response, 404, language or "en", *texts)
        assert f'<a class="brand" href="/">{brand}</a>' in response.content.decode()


def test_a_signed_in_users_404_is_the_same_page(school: Tenant) -> None:
    student = make_user(school, Role.STUDENT)
    response = client_for(school, student).get("/school/no-such-page/")
    assert_error_page(response, 404, "en", "Page not found")


# --- 403 -------------------------------------------------------------------------------------


def test_a_role_that_may_not_open_a_page_gets_the_403_page(school: Tenant) -> None:
    # given a student, when she opens an administrators' page
    student = make_user(school, Role.STUDENT)
    response = client_for(school, student).get("/school/fees/")
    # then the product's 403 page says so
    assert_error_page(response, 403, "en", "You cannot open this page")


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (None, ["This form has expired", "reload the page"]),
        (SPANISH, ["Este formulario ya venció", "recargue la página"]),
    ],
)
def test_a_form_sent_without_its_token_gets_the_403_page(
    school: Tenant, language: str | None, texts: list[str]
) -> None:
    # given a browser whose form token is missing (an old tab, cookies cleared)
    headers = {"Accept-Language": language} if language else {}
    browser = Client(HTTP_HOST=domain_of(school), enforce_csrf_checks=True, headers=headers)
    # when it signs in
    response = browser.post("/accounts/login/", {"login": "a@b.test", "password": "x"})
    # then the product's page says what to do, not Django's CSRF page
    assert_error_page(response, 403, language or "en", *texts)
    assert "CSRF" not in response.content.decode()


# --- 400 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [(None, "We could not read that request"), (SPANISH, "No pudimos leer esa solicitud")],
)
def test_a_request_django_refuses_gets_the_400_page(
    school: Tenant, language: str | None, text: str
) -> None:
    # given a form post with more fields than Django reads
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = visitor(domain_of(school), language).post("/accounts/login/", fields)
    assert_error_page(response, 400, language or "en", text)


# --- 500 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (None, ["Something went wrong", "a problem on our side"]),
        (SPANISH, ["Algo salió mal", "un problema de nuestra parte"]),
    ],
)
def test_a_view_that_raises_answers_the_500_page(
    school: Tenant, failing_school_page: None, language: str | None, texts: list[str]
) -> None:
    response = visitor(domain_of(school), language).get("/fails/")
    assert_error_page(response, 500, language or "en", *texts)
    assert "a bug in a view" not in response.content.decode()


@pytest.mark.parametrize(
    "urlconf",
    ["config.urls_public", "config.urls_school", "config.urls_clinic", "config.urls_tenant"],
)
def test_every_urlconf_answers_with_the_products_error_pages(urlconf: str) -> None:
    resolver = get_resolver(urlconf)
    assert resolver.resolve_error_handler(400) is errors.bad_request
    assert resolver.resolve_error_handler(403) is errors.permission_denied
    assert resolver.resolve_error_handler(404) is errors.page_not_found
    assert resolver.resolve_error_handler(500) is errors.server_error


# --- 503: the database is out of reach (the real server: tests/config/test_outage.py) -------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (None, ["Back in a moment", "reloads by itself in 5 seconds"]),
        (SPANISH, ["Volvemos en un momento", "se recargará sola en 5 segundos"]),
    ],
)
def test_the_outage_page_is_one_of_the_family(language: str | None, texts: list[str]) -> None:
    headers: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    request = RequestFactory().get("/", **headers)
    response = outage_response(OperationalError("connection refused"), request)
    assert_error_page(response, 503, language or "en", *texts)
    assert response["Retry-After"] == "5"


# --- hosts and tenants that answer no page of their own ---------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (None, ["Site not found", "There is no Aviso site at <code>nobody.test</code>"]),
        (
            SPANISH,
            ["Sitio no encontrado", "No hay ningún sitio de Aviso en <code>nobody.test</code>"],
        ),
    ],
)
def test_an_unknown_host_answers_404_in_the_browsers_language(
    language: str | None, texts: list[str]
) -> None:
    response = visitor("nobody.test", language).get("/")
    assert_error_page(response, 404, language or "en", *texts)
    assert "Accept-Language" in response["Vary"]


def test_the_error_pages_stylesheet_loads_on_any_host(school: Tenant) -> None:
    # given an unknown host and a suspended school, whose pages all answer an error page
    _set_status(school, TenantStatus.SUSPENDED)
    for host in ("nobody.test", domain_of(school)):
        # when the error page's browser fetches its stylesheet there, then it gets it
        response = visitor(host).get("/static/aviso/aviso.css")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/css")


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (None, ["Alpha School is suspended", "contact the school's office"]),
        (SPANISH, ["El sitio de Alpha School está suspendido", "dirección de la escuela"]),
    ],
)
def test_a_suspended_tenant_answers_403_on_every_page(
    school: Tenant, school_b: Tenant, language: str | None, texts: list[str]
) -> None:
    _set_status(school, TenantStatus.SUSPENDED)
    for path in ("/", "/school/", "/accounts/login/"):
        response = visitor(domain_of(school), language).get(path)
        assert_error_page(response, 403, language or "en", *texts)
    # the other school is untouched
    assert visitor(domain_of(school_b)).get("/accounts/login/").status_code == 200


def test_a_suspended_clinic_sends_patients_to_its_front_desk(clinic: Tenant) -> None:
    _set_status(clinic, TenantStatus.SUSPENDED)
    response = visitor(domain_of(clinic), SPANISH).get("/")
    assert_error_page(response, 403, SPANISH, "recepción de la clínica")


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (None, ["Alpha Dental is archived", "Its records are kept"]),
        (SPANISH, ["El sitio de Alpha Dental está archivado", "Sus registros se conservan"]),
    ],
)
def test_an_archived_tenant_needs_only_its_state_selected(
    clinic: Tenant, language: str | None, texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the state archiving (issue #12) will add, with the page made for it
    monkeypatch.setitem(CLOSED_PAGES, "archived", ClosedPage("errors/archived.html", 410))
    _set_status(clinic, "archived")
    # when anyone opens any of its pages, then they get the archived page
    response = visitor(domain_of(clinic), language).get("/clinic/")
    assert_error_page(response, 410, language or "en", *texts)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (None, "Alpha School is being set up"),
        (SPANISH, "Estamos preparando el sitio de Alpha School"),
    ],
)
def test_a_tenant_being_set_up_says_so(school: Tenant, language: str | None, text: str) -> None:
    _set_status(school, TenantStatus.PROVISIONING)
    response = visitor(domain_of(school), language).get("/")
    assert_error_page(response, 503, language or "en", text)
    assert response["Retry-After"] == "5"
