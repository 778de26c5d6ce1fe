"""Factories for test data. Tenant rows and schemas are made once per session (conftest);
these make users, sessions and clients inside a given tenant."""

import itertools
from http.cookies import SimpleCookie

from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from tenants.models import Tenant
from tenants.selectors import tenant_primary_domain
from testing.tenants import session_for

PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)


def make_user(
    tenant: Tenant, role: Role | str, *, email: str | None = None, name: str = ""
) -> User:
    email = email or f"{role}{next(_serial)}@{domain_of(tenant)}"
    with tenant_context(tenant):
        return user_create(
            kind=tenant.kind, email=email, role=role, full_name=name, password=PASSWORD
        )


def domain_of(tenant: Tenant) -> str:
    domain = tenant_primary_domain(tenant=tenant)
    assert domain, f"{tenant} has no domain"
    return domain


def client_for(tenant: Tenant, user: User | None = None) -> Client:
    """An HTTP client on the tenant's domain, logged in as `user` if given."""
    client = Client(HTTP_HOST=domain_of(tenant))
    if user is not None:
        cookie = SimpleCookie()
        cookie[settings.SESSION_COOKIE_NAME] = session_for(tenant, user)
        client.cookies.update(cookie)
    return client


def ws_headers(
    tenant: Tenant,
    *,
    session_key: str | None = None,
    origin: str | None = "same",
    host: str | None = None,
) -> list[tuple[bytes, bytes]]:
    """Handshake headers for a socket to `tenant` (Origin on its own domain unless told)."""
    domain = host or domain_of(tenant)
    headers = [(b"host", domain.encode())]
    if origin == "same":
        origin = f"http://{domain_of(tenant)}"
    if origin:
        headers.append((b"origin", origin.encode()))
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    return headers
