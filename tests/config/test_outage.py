"""PostgreSQL cannot be reached: a real Daphne whose DATABASE_URL names a loopback port where
nothing listens (the state of every connection attempt while PostgreSQL restarts), with DEBUG
on, as a developer would run it. Redis is up. Pages answer the styled 503, sockets close with
4503, /readyz names postgres, and nothing in the server's log is a traceback."""

import asyncio
import json
from collections.abc import Iterator

import psycopg
import pytest
from django.core.handlers.exception import response_for_exception
from django.http import HttpResponse
from django.test import RequestFactory

from config.outage import RETRY_AFTER_SECONDS
from realtime.protocol import CLOSE_BUSY
from testing.client import close_code_of_new_socket
from testing.servers import LOGS, Answer, daphne, free_port, http_get


@pytest.fixture(scope="module")
def dead_db_site() -> Iterator[int]:
    nowhere = free_port()  # nothing listens there: connections are refused, as in a restart
    with daphne(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{nowhere}/aviso", DJANGO_DEBUG="True"
    ) as port:
        yield port


def _get(port: int, host: str, path: str = "/") -> Answer:
    return http_get(port, host=host, path=path)


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("school.example.test", "/"),
        ("clinic.example.test", "/clinic/schedule/?day=2026-12-02"),
        ("localhost", "/console/"),  # the operators' site
        ("localhost", "/accounts/login/"),
    ],
)
def test_every_page_answers_the_styled_503_while_postgres_is_down(
    dead_db_site: int, host: str, path: str
) -> None:
    # given a server that cannot reach PostgreSQL, with DEBUG on
    # when a page is asked for (the tenant lookup itself needs the database)
    response = _get(dead_db_site, host, path)

    # then it is the "back in a moment" page with a Retry-After, not a 500 or the debug page
    assert response.status == 503
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert "Back in a moment" in response.text
    assert "aviso.css" in response.text  # styled
    assert "Traceback" not in response.text and "OperationalError" not in response.text


def test_the_outage_page_speaks_the_browsers_language(dead_db_site: int) -> None:
    # given a server that cannot reach PostgreSQL, when a Mexican browser asks for a page
    response = http_get(dead_db_site, host="school.example.test", language="es-MX,es;q=0.9")
    # then the same page answers in Spanish
    assert response.status == 503 and response.headers["content-language"] == "es-MX"
    assert '<html lang="es-MX">' in response.text and "Volvemos en un momento" in response.text
    # and its stylesheet is served though no tenant can be looked up
    stylesheet = http_get(dead_db_site, host="school.example.test", path="/static/aviso/aviso.css")
    assert stylesheet.status == 200 and stylesheet.headers["content-type"].startswith("text/css")


def test_readyz_names_postgres_quickly(dead_db_site: int) -> None:
    # given a server that cannot reach PostgreSQL (Redis is up)
    # when the load balancer probes readiness
    response = _get(dead_db_site, "10.1.2.3", "/readyz")

    # then it answers 503 within the probe's budget and says which service is down
    assert response.status == 503
    assert response.seconds < 5
    body = json.loads(response.text)
    assert body["down"] == ["postgres"]
    assert body["postgres"].startswith("error:")
    assert body["redis"] == "ok"


def test_a_new_socket_is_closed_with_the_retry_code(dead_db_site: int) -> None:
    # given a server that cannot reach PostgreSQL for the handshake's host lookup
    # when a page opens its socket
    code = asyncio.run(
        close_code_of_new_socket(domain="school.example.test", port=dead_db_site, session_key="x")
    )

    # then the handshake completes and the socket is closed with 4503 (come back later)
    assert code == CLOSE_BUSY


def test_the_server_logged_no_traceback(dead_db_site: int) -> None:
    # given the requests above, then the server's log has no traceback
    for host in ("school.example.test", "localhost"):
        assert _get(dead_db_site, host).status == 503
    log = (LOGS / f"daphne-{dead_db_site}.log").read_text(errors="replace")
    assert "database unavailable" in log  # the outage was seen and logged as one line
    assert "Traceback" not in log, log[-3000:]
    assert '" 500 ' not in log


def _real_outage_error() -> Exception:
    """The error Django raises when PostgreSQL refuses connections (a connection to a loopback
    port where nothing listens; no mock)."""
    from django.db import OperationalError, connection
    from django.db.backends.postgresql.base import DatabaseWrapper

    dead = DatabaseWrapper({**connection.settings_dict, "PORT": free_port()}, alias="dead")
    try:
        dead.ensure_connection()
    except OperationalError as exc:
        return exc
    raise AssertionError("a connection to a dead port succeeded")


@pytest.mark.django_db  # pytest-django otherwise refuses any connection attempt
def test_an_outage_a_view_meets_mid_request_is_the_same_page() -> None:
    from django.test import RequestFactory

    from config.outage import DatabaseOutageMiddleware

    # given the middleware, and the error a view gets when PostgreSQL went away after the
    # request started (its own check passed)
    error = _real_outage_error()
    middleware = DatabaseOutageMiddleware(lambda request: HttpResponse("unreachable"))
    request = RequestFactory().get("/clinic/", HTTP_HOST="clinic.example.test")

    # when the view raises it
    response = middleware.process_exception(request, error)

    # then the answer is the outage page, and any other error is left to Django
    assert response is not None and response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert b"Back in a moment" in response.content
    assert middleware.process_exception(request, ValueError("a bug")) is None


@pytest.mark.django_db
def test_the_outage_page_follows_the_visitors_browser_language() -> None:
    from django.test import RequestFactory

    from config.outage import DatabaseOutageMiddleware

    # given the outage met by a Mexican visitor's request (the user and the tenant are in the
    # database: only the browser's language is known)
    middleware = DatabaseOutageMiddleware(lambda request: HttpResponse("unreachable"))
    spanish = RequestFactory().get("/", HTTP_HOST="x.test", HTTP_ACCEPT_LANGUAGE="es-MX,es")
    english = RequestFactory().get("/", HTTP_HOST="x.test")
    # when each gets the outage page
    es = middleware.process_exception(spanish, _real_outage_error())
    en = middleware.process_exception(english, _real_outage_error())
    # then it is in their language, and says so
    assert es is not None and en is not None
    assert "Volvemos en un momento" in es.content.decode() and es["Content-Language"] == "es-MX"
    assert '<html lang="es-MX">' in es.content.decode()
    assert "Esta página se recargará sola en 5 segundos." in es.content.decode()
    assert "Back in a moment" in en.content.decode() and '<html lang="en">' in en.content.decode()


def test_an_outage_django_already_turned_into_a_500_still_answers_the_503(
    rf: RequestFactory,
) -> None:
    # given PostgreSQL lost while a middleware below the outage middleware ran (the language
    # middleware reading the signed-in user): Django makes its 500 there, before the outage
    # middleware could see the exception
    request = rf.get("/clinic/", HTTP_HOST="alpha-dental.test")
    try:
        raise psycopg.OperationalError("server closed the connection unexpectedly")
    except psycopg.OperationalError as lost:
        # when Django answers for it, as it does for any exception a middleware raised
        response = response_for_exception(request, lost)
    # then the visitor gets the outage page, told when to retry, not the 500
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    # while any other failure is still the 500
    try:
        raise ValueError("a bug")
    except ValueError as bug:
        assert response_for_exception(request, bug).status_code == 500
