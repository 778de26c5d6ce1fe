"""/metrics: Prometheus text with the panel's figures labelled by tenant, for operators and
for scrapers holding AVISO_METRICS_TOKEN; nobody else."""

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from prometheus_client.parser import text_string_to_metric_families

from accounts.roles import Role
from realtime import metrics
from realtime.services import notify
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE
from tests.console.factories import PUBLIC_DOMAIN, console_client, make_operator
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TOKEN = "scrape-me-4f1c9b"


def samples(client: Client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_strangers_and_non_operators_are_refused(school: Tenant) -> None:
    for client in (console_client(), console_client(make_operator(role=Role.ADMINISTRATOR))):
        response = client.get("/metrics")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert b"school_a" not in response.content


def test_the_token_is_needed_and_must_match(school: Tenant, settings: Any) -> None:
    scraper = Client(HTTP_HOST=PUBLIC_DOMAIN)
    # no token configured: a bearer header opens nothing, not even an empty one
    settings.AVISO_METRICS_TOKEN = ""
    assert scraper.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401
    settings.AVISO_METRICS_TOKEN = TOKEN
    assert scraper.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert scraper.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 401
    assert scraper.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_a_tenant_user_cannot_reach_metrics_on_any_host(school: Tenant) -> None:
    from tests.factories import client_for

    admin = make_user(school, Role.ADMINISTRATOR)
    assert client_for(school, admin).get("/metrics").status_code == 404


def test_figures_are_labelled_by_tenant_and_move(
    school: Tenant, school_b: Tenant, clinic: Tenant
) -> None:
    operator = console_client(make_operator())
    before = samples(operator)
    assert value(before, "aviso_tenant_info", tenant="school_a", kind="school", status="active")
    # when school_a gets a socket, a delivery at 3 ms and two notifications
    metrics.count(metrics.WS_CONNECTED, schema="school_a")
    metrics.count(metrics.DELIVERED, schema="school_a", amount=2)
    metrics.observe_latency(0.003, schema="school_a")
    metrics.count("ws.rejected.bad_origin", schema="school_a")
    students = [make_user(school, Role.STUDENT), make_user(school, Role.STUDENT)]
    with tenant_context(school):
        notify(recipients=students, kind=TEST_MESSAGE, params=TEST_MESSAGE.params(text="T"))
    after = samples(operator)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("aviso_ws_connections_total", tenant="school_a") == 1
    assert moved("aviso_notifications_delivered_total", tenant="school_a") == 2
    assert moved("aviso_notifications_created_total", tenant="school_a") == 2
    assert moved("aviso_ws_errors_total", tenant="school_a", reason="bad_origin") == 1
    assert moved("aviso_delivery_latency_seconds_bucket", tenant="school_a", le="0.005") == 1
    assert moved("aviso_delivery_latency_seconds_bucket", tenant="school_a", le="0.002") == 0
    assert moved("aviso_delivery_latency_seconds_count", tenant="school_a") == 1
    # and none of it shows against the other tenants
    for other in ("school_b", "clinic_a"):
        assert moved("aviso_ws_connections_total", tenant=other) == 0
        assert moved("aviso_notifications_created_total", tenant=other) == 0
        assert moved("aviso_notifications_delivered_total", tenant=other) == 0
    assert ("aviso_celery_queue_depth", frozenset({("queue", "celery")})) in after
