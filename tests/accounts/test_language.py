"""Which language a page is in: a signed-in user's own, else the tenant's default; for an
anonymous visitor what they picked, else what the browser asks for, else the tenant's
default; on the operators' site the operator's own, else the browser's. The language chooser
of every page; <html lang> and the time zone the page's scripts write times in."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from accounts.language import closest_language, language_for
from accounts.models import User
from accounts.roles import Role
from tenants.models import Tenant
from tests.console.factories import console_client, make_operator
from tests.factories import PASSWORD, client_for, domain_of, make_user

pytestmark = pytest.mark.django_db

SPANISH_LOGIN = "Inicia sesión en"
ENGLISH_LOGIN = "Sign in to"


def _set_default(tenant: Tenant, language: str) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(default_language=language)


def _html_lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found, "the page has no <html lang>"
    return found.group(1)


def _set_language(user: User, tenant: Tenant, language: str) -> None:
    with tenant_context(tenant):
        User.objects.filter(pk=user.pk).update(language=language)


def test_an_anonymous_visitor_reads_what_the_browser_asks_for(school: Tenant) -> None:
    # given an English school, when a Mexican browser opens its sign-in page
    response = client_for(school).get(
        "/accounts/login/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5"
    )
    page = response.content.decode()
    # then the page is Spanish, and says so to the browser and to screen readers
    assert SPANISH_LOGIN in page and "Iniciar sesión" in page and "Idioma" in page
    assert _html_lang(page) == "es-MX" and response["Content-Language"] == "es-MX"
    # and allauth's own words come from allauth's Spanish catalogue
    assert "Contraseña" in page
    # and a plain "es" (or Spain's Spanish) gets Mexican Spanish, our only Spanish
    for header in ("es", "es-ES,es;q=0.8"):
        other = client_for(school).get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=header)
        assert SPANISH_LOGIN in other.content.decode()


def test_a_browser_asking_for_a_language_we_lack_gets_the_tenants_default(
    school: Tenant, school_b: Tenant
) -> None:
    # given a Spanish-speaking school beside an English one
    _set_default(school, "es-mx")
    # when a French browser, and a browser that names no language, open both sign-in pages
    for header in ("fr-FR,fr;q=0.9", ""):
        spanish = client_for(school).get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=header)
        english = client_for(school_b).get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=header)
        # then each reads its own school's language
        assert SPANISH_LOGIN in spanish.content.decode()
        assert _html_lang(spanish.content.decode()) == "es-MX"
        assert ENGLISH_LOGIN in english.content.decode()
        assert _html_lang(english.content.decode()) == "en"


def test_a_signed_in_user_reads_their_own_language_else_the_tenants(school: Tenant) -> None:
    lisa = make_user(school, Role.STUDENT, name="Lisa")
    bart = make_user(school, Role.STUDENT, name="Bart")
    _set_language(lisa, school, "es-mx")
    # given an English school, Lisa who reads Spanish and Bart who chose nothing, both with
    # browsers that ask for English
    lisa_page = client_for(school, lisa).get("/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    bart_page = client_for(school, bart).get("/notifications/", HTTP_ACCEPT_LANGUAGE="es")
    # then Lisa reads Spanish and Bart the school's English, whatever their browsers ask
    assert "Cerrar sesión" in lisa_page.content.decode()
    assert "Alumno" in lisa_page.content.decode()  # her role, in Spanish too
    assert "Sign out" in bart_page.content.decode()
    # when the school switches to Spanish, then Bart follows it and Lisa keeps hers
    _set_default(school, "es-mx")
    _set_language(lisa, school, "en")
    assert "Cerrar sesión" in client_for(school, bart).get("/notifications/").content.decode()
    assert "Sign out" in client_for(school, lisa).get("/notifications/").content.decode()


def test_the_chooser_saves_a_signed_in_users_language_on_the_account(school: Tenant) -> None:
    lisa = make_user(school, Role.STUDENT, name="Lisa")
    client = client_for(school, lisa)
    # when Lisa picks Spanish on her inbox page
    response = client.post("/language/", {"language": "es-mx", "next": "/notifications/"})
    # then she is back on that page, now in Spanish, and so is every later page
    assert (response.status_code, response["Location"]) == (302, "/notifications/")
    assert "Notificaciones" in client.get("/notifications/").content.decode()
    # and her account remembers it (e-mails and notifications follow it too)
    with tenant_context(school):
        assert User.objects.get(pk=lisa.pk).language == "es-mx"
        assert language_for(User.objects.get(pk=lisa.pk), school) == "es-mx"
    # and another browser of hers (no cookie) is Spanish as well
    assert "Notificaciones" in client_for(school, lisa).get("/notifications/").content.decode()


def test_the_chooser_keeps_an_anonymous_choice_and_carries_it_into_the_session(
    school: Tenant,
) -> None:
    lisa = make_user(school, Role.STUDENT, email="lisa@alpha-school.test")
    client = Client(HTTP_HOST=domain_of(school), HTTP_ACCEPT_LANGUAGE="en")
    # given a visitor whose browser asks for English, who picks Spanish on the sign-in page
    client.post("/language/", {"language": "es-mx", "next": "/accounts/login/"})
    assert SPANISH_LOGIN in client.get("/accounts/login/").content.decode()
    # when she signs in
    client.post("/accounts/login/", {"login": lisa.email, "password": PASSWORD})
    # then she stays in Spanish, and her account keeps the choice she made
    assert "Cerrar sesión" in client.get("/notifications/").content.decode()
    with tenant_context(school):
        assert User.objects.get(pk=lisa.pk).language == "es-mx"


@pytest.mark.parametrize(
    "post",
    [{"language": "fr"}, {"language": ""}, {}, {"language": "es-mx" * 20}],
    ids=["unknown", "empty", "missing", "long"],
)
def test_the_chooser_refuses_a_language_it_does_not_offer(
    school: Tenant, post: dict[str, str]
) -> None:
    lisa = make_user(school, Role.STUDENT)
    response = client_for(school, lisa).post("/language/", post)
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()
    with tenant_context(school):
        assert User.objects.get(pk=lisa.pk).language == ""


def test_the_chooser_only_sends_back_to_pages_of_this_site(school: Tenant) -> None:
    response = client_for(school).post(
        "/language/", {"language": "es-mx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_every_page_offers_the_chooser_with_each_language_named_in_itself(
    school: Tenant,
) -> None:
    page = client_for(school).get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    chooser = page[page.index('action="/language/"') :]
    assert '<label for="aviso-language">Idioma</label>' in chooser
    assert '<option value="en" lang="en">English</option>' in chooser
    assert '<option value="es-mx" lang="es-mx" selected>Español (México)</option>' in chooser
    assert '<input type="hidden" name="next" value="/accounts/login/">' in chooser


def test_the_operators_site_follows_the_operator_else_the_browser(school: Tenant) -> None:
    olga = make_operator()
    # an operator who chose nothing reads what her browser asks for
    page = console_client(olga).get("/", HTTP_ACCEPT_LANGUAGE="es-MX").content.decode()
    assert "Operadores de Aviso" in page and _html_lang(page) == "es-MX"
    assert "Aviso operators" in console_client(olga).get("/").content.decode()
    # once she picks English, English it is, whatever the browser asks
    with schema_context("public"):
        User.objects.filter(pk=olga.pk).update(language="en")
    page = console_client(olga).get("/", HTTP_ACCEPT_LANGUAGE="es-MX").content.decode()
    assert "Aviso operators" in page and _html_lang(page) == "en"
    # and the public site's anonymous pages follow the browser
    login = console_client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Solo para operadores." in login.content.decode()


def test_a_page_carries_the_tenants_time_zone_for_its_scripts(
    school: Tenant, school_b: Tenant
) -> None:
    Tenant.objects.filter(pk=school.pk).update(timezone="America/Mexico_City")
    mexico = client_for(school).get("/accounts/login/").content.decode()
    utc = client_for(school_b).get("/accounts/login/").content.decode()
    assert 'data-time-zone="America/Mexico_City"' in mexico
    assert 'data-time-zone="UTC"' in utc
    # and the JS catalogue and the formats script load before any page script
    head = mexico[: mexico.index("</head>")]
    assert head.index('src="/jsi18n/"') < head.index("aviso/format.js")


def test_the_js_catalogue_is_in_the_pages_language(school: Tenant) -> None:
    spanish = client_for(school).get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client_for(school).get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "sin conexi\\u00f3n" in spanish or "sin conexión" in spanish
    assert "No hay nadie m\\u00e1s en l\\u00ednea." in spanish or "nadie más" in spanish
    assert "sin conexi" not in english


def test_closest_language_maps_what_browsers_send() -> None:
    assert closest_language("es-MX") == "es-mx"
    assert closest_language("es_MX") == "es-mx"
    assert closest_language("es-AR") == "es-mx"
    assert closest_language("en-GB") == "en"
    assert closest_language("fr") is None
    assert closest_language("") is None and closest_language("*") is None
    assert closest_language("x" * 10_000) is None
