"""Health endpoints for load balancers, answered before tenant routing (any Host header):
/healthz says the process is up; /readyz also checks PostgreSQL and Redis, each within
READY_TIMEOUT_SECONDS, and answers 503 naming the ones that are down (`"down": ["postgres"]`)."""

from collections.abc import Callable

import psycopg
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.redis import redis_client

# A probe must answer before the load balancer gives up on it (typically 5 s).
READY_TIMEOUT_SECONDS = 2


def _postgres_answers() -> None:
    """A fresh connection, not the request's: the question is whether PostgreSQL takes
    connections now, and a stale persistent one must neither hide nor fake an outage."""
    params = {
        **connection.get_connection_params(),
        "connect_timeout": READY_TIMEOUT_SECONDS,
        "options": f"-c statement_timeout={READY_TIMEOUT_SECONDS * 1000}",
    }
    with psycopg.connect(**params) as probe:
        probe.execute("SELECT 1")


def readiness() -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        _postgres_answers()
        checks["postgres"] = "ok"
    except Exception as exc:
        checks["postgres"] = f"error: {type(exc).__name__}"
    try:
        redis_client().ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    return checks


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            checks = readiness()
            down = [name for name, value in checks.items() if value != "ok"]
            if not down:
                return JsonResponse({"status": "ok", **checks})
            return JsonResponse({"status": "unavailable", "down": down, **checks}, status=503)
        return self.get_response(request)
