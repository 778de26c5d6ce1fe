"""What tenant staff pages can show of presence: their own tenant's staff who are online,
never another tenant's people, never to customers (students, patients)."""

import json
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template import Context, Template
from django.test import RequestFactory
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from config.redis import redis_client, redis_key
from realtime.presence import presence_leave, presence_touch
from realtime.views import presence_online
from tenants.models import Tenant
from tests.conftest import TEST_TENANTS
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db

SNIPPET = Template("{% load aviso_presence %}{% online_staff refresh_url %}")


@pytest.fixture(autouse=True)
def _fresh_presence() -> None:
    """Entries left by other tests' sockets (until their TTL) could carry these users' ids."""
    for slug, *_ in TEST_TENANTS:
        redis_client().delete(redis_key("presence", slug))


@pytest.fixture
def online() -> Iterator[list[tuple[str, int]]]:
    """Mark (schema, user id) pairs online as a live socket would; removed afterwards."""
    entries: list[tuple[str, int]] = []
    yield entries
    for schema, user_id in entries:
        presence_leave(schema_name=schema, user_id=user_id, channel=f"test-{user_id}")


def go_online(entries: list[tuple[str, int]], tenant: Tenant, user: User) -> None:
    presence_touch(schema_name=tenant.schema_name, user_id=user.pk, channel=f"test-{user.pk}")
    entries.append((tenant.schema_name, user.pk))


def _request(tenant: Tenant, user: User) -> HttpRequest:
    request = RequestFactory().get("/presence/", HTTP_HOST="x.test")
    request.user = user
    request.tenant = tenant
    return request


def test_staff_see_their_own_online_staff_only(
    clinic: Tenant, clinic_b: Tenant, online: list[tuple[str, int]]
) -> None:
    # given a dentist and a patient online at clinic_a, and a dentist online at clinic_b
    dentist = make_user(clinic, Role.DENTIST, name="Dr Ana")
    patient = make_user(clinic, Role.PATIENT, name="Pat Ient")
    make_user(clinic, Role.RECEPTIONIST, name="Rita Away")  # on staff, not online
    rival = make_user(clinic_b, Role.DENTIST, name="Dr Bruno")
    for tenant, user in ((clinic, dentist), (clinic, patient), (clinic_b, rival)):
        go_online(online, tenant, user)
    receptionist = make_user(clinic, Role.RECEPTIONIST, name="Rui Desk")
    with tenant_context(clinic):
        response = presence_online(_request(clinic, receptionist))
        snippet = SNIPPET.render(
            Context({"request": _request(clinic, receptionist), "refresh_url": "/p/"})
        )
    names = [u["name"] for u in json.loads(response.content)["users"]]
    # then only clinic_a's online staff: not the patient, not the offline one, not clinic_b's
    assert names == ["Dr Ana"]
    assert "Dr Ana" in snippet and 'data-url="/p/"' in snippet
    for absent in ("Pat Ient", "Rita Away", "Dr Bruno"):
        assert absent not in snippet


def test_customers_do_not_see_who_is_online(school: Tenant, online: list[tuple[str, int]]) -> None:
    admin = make_user(school, Role.ADMINISTRATOR, name="Head Teacher")
    go_online(online, school, admin)
    student = make_user(school, Role.STUDENT)
    with tenant_context(school):
        with pytest.raises(PermissionDenied):
            presence_online(_request(school, student))
        snippet = SNIPPET.render(Context({"request": _request(school, student)}))
    assert "Head Teacher" not in snippet and "Online now" not in snippet


@pytest.mark.parametrize(
    ("kind", "staff_role", "customer_role"),
    [("school", Role.ADMINISTRATOR, Role.STUDENT), ("clinic", Role.RECEPTIONIST, Role.PATIENT)],
)
def test_the_staff_dashboards_show_who_is_online(
    kind: str,
    staff_role: str,
    customer_role: str,
    school: Tenant,
    clinic: Tenant,
    online: list[tuple[str, int]],
) -> None:
    # given a colleague online at the tenant
    tenant = school if kind == "school" else clinic
    colleague = make_user(tenant, Role.ADMINISTRATOR, name="Ada Online")
    go_online(online, tenant, colleague)
    staff, customer = make_user(tenant, staff_role), make_user(tenant, customer_role)
    # when a staff member and a customer open their dashboards
    for_staff = client_for(tenant, staff).get(f"/{kind}/")
    for_customer = client_for(tenant, customer).get(f"/{kind}/")
    # then the staff member's shows the card, kept fresh from /presence/; the customer's not
    assert for_staff.status_code == for_customer.status_code == 200
    page = for_staff.content.decode()
    assert "Online now" in page and "Ada Online" in page
    assert 'data-url="/presence/"' in page and "aviso/presence.js" in page
    assert "Online now" not in for_customer.content.decode()
