"""Shared pieces of the fault tests: users with sessions, clients, publishing, assertions."""

import copy
from collections.abc import Sequence
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.services import notify
from tenants.models import Tenant
from testing.client import ReconnectingClient
from testing.notifications import TEST_MESSAGE, TestMessageParams
from tests.factories import domain_of, make_user, session_for

# Scaled-down backoff (the protocol's is 0.5 s doubling to 30 s) so a test waits seconds.
FAST_BACKOFF = {"backoff_base": 0.1, "backoff_cap": 1.0}


def _person(tenant: Tenant, role: Role) -> tuple[User, str, str]:
    user = make_user(tenant, role)
    return user, domain_of(tenant), session_for(tenant, user)


async def person(tenant: Tenant, role: Role = Role.STUDENT) -> tuple[User, str, str]:
    """(user, domain, session key) of a new signed-in user of `tenant`."""
    return await database_sync_to_async(_person)(tenant, role)


def client(
    who: tuple[User, str, str], ports: Sequence[int], *, name: str, **options: Any
) -> ReconnectingClient:
    _user, domain, session_key = who
    return ReconnectingClient(
        name=name,
        domain=domain,
        session_key=session_key,
        ports=ports,
        cookie_name=settings.SESSION_COOKIE_NAME,
        **{**FAST_BACKOFF, **options},
    )


def _notify_each(tenant: Tenant, users: Sequence[User], title: str) -> None:
    """One notification per user, each its own commit (as separate changes would be)."""
    with tenant_context(tenant):
        for user in users:
            notify(recipients=[user], kind=TEST_MESSAGE, params=TestMessageParams(text=title))


notify_each = database_sync_to_async(_notify_each)


def channel_layers_on(redis_url: str) -> dict[str, Any]:
    """The product's CHANNEL_LAYERS setting, pointed at another Redis."""
    layers: dict[str, Any] = copy.deepcopy(settings.CHANNEL_LAYERS)
    for host in layers["default"]["CONFIG"]["hosts"]:
        host["address"] = redis_url
    return layers


def assert_exactly_once(c: ReconnectingClient, count: int) -> None:
    """The page saw seq 1..count, each once, in order; the server never sent a seq twice to
    it nor skipped one (so the client's own dedupe never had to act)."""
    r = c.record
    assert r.processed == list(range(1, count + 1)), (
        f"{c.name}: lost {sorted(set(range(1, count + 1)) - set(r.processed))}, "
        f"extra {sorted(set(r.processed) - set(range(1, count + 1)))}"
    )
    assert r.gaps == [], f"{c.name}: the server skipped seqs {r.gaps}"
    assert r.ignored == [], f"{c.name}: the server sent seqs twice {r.ignored}"
    assert r.wire == r.processed
    assert c.stopped_with is None, f"{c.name}: closed for good with {c.stopped_with}"
