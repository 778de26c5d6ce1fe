"""What every entry point does while PostgreSQL is unreachable or restarting.

Pages: DatabaseOutageMiddleware (placed right after the health endpoints, before the tenant
lookup) answers a styled 503 "back in a moment" with Retry-After, never a 500 or Django's debug
page. It checks the connection before the request goes on (a broken persistent connection is
dropped and a new one tried, so the first request after a restart recovers by itself) and
turns an outage met later by a view or a template into the same page. Sockets close with 4503
(realtime.asgi / realtime.consumers), Celery tasks retry (config.celery), and /readyz names
the service that is down (config.health).
"""

import logging
from collections.abc import Callable

import psycopg
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

from config.errors import error_response

logger = logging.getLogger(__name__)

# Errors of a database that cannot be reached or went away mid-query (a restart, a failover, a
# dropped link). Django wraps psycopg's in its own; the raw ones can escape code that talks to
# psycopg directly. A deadlock or a statement timeout is an OperationalError too: those are
# just as transient, and retrying is the answer for them as well.
DATABASE_OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
# What the 503 page and its Retry-After header tell browsers and clients.
RETRY_AFTER_SECONDS = 5
OUTAGE_TEMPLATE = "errors/503.html"


def is_database_outage(exc: BaseException) -> bool:
    return isinstance(exc, DATABASE_OUTAGE_ERRORS)


def drop_broken_connections() -> None:
    """Close this thread's connections that failed, so the next use connects afresh rather
    than reusing a socket the restarted server no longer knows."""
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue  # the atomic block unwinding closes it (Django refuses to close it here)
        try:
            conn.close()
        except Exception:  # a dead socket may fail to close; it is gone anyway
            logger.debug("closing a broken connection failed", exc_info=True)


def check_database() -> None:
    """Raise one of DATABASE_OUTAGE_ERRORS now if the database cannot be reached: a persistent
    connection that fails its health check is closed, then a connection is opened."""
    for conn in connections.all(initialized_only=True):
        conn.close_if_health_check_failed()
    connections["default"].ensure_connection()


def outage_response(exc: BaseException, request: HttpRequest) -> HttpResponse:
    """The styled 503, one of the error pages (config.errors): rendered without the request, so
    no context processor (user, tenant, unread count) runs and nothing on it needs the
    database."""
    logger.warning("database unavailable (%s: %s); answered 503", type(exc).__name__, exc)
    drop_broken_connections()
    response = error_response(
        request,
        OUTAGE_TEMPLATE,
        status=503,
        context={"retry_after": RETRY_AFTER_SECONDS},
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )
    # The warning above is the one line per request; Django would add an ERROR of its own
    # (django.utils.log.log_response skips responses marked like this).
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class DatabaseOutageMiddleware:
    """Every page, tenant or operators', answers the outage page while PostgreSQL is down.

    Django turns an exception raised inside a later middleware into a 500 before it gets
    back here, so this one does not wait for it: it checks the database first (covering the
    tenant lookup, the first query of every request) and handles what a view or a template
    raises in process_exception. TenantMiddleware uses outage_response for a connection lost
    between the check and its lookup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_database()
        except DATABASE_OUTAGE_ERRORS as exc:
            return outage_response(exc, request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_outage(exception):
            return outage_response(exception, request)
        return None
