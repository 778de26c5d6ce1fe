"""Operators (users of the public schema) and their browsers and sockets."""

import itertools
from http.cookies import SimpleCookie

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from accounts.roles import Role
from tenants.models import Tenant
from tests.conftest import PUBLIC_DOMAIN
from tests.factories import PASSWORD, session_for

_serial = itertools.count(1)


def public_tenant() -> Tenant:
    return Tenant.objects.get(schema_name=get_public_schema_name())


def make_operator(*, role: str = Role.OPERATOR, is_staff: bool = True) -> User:
    """A user of the operators' site; by default a real operator."""
    with schema_context(get_public_schema_name()):
        return User.objects.create_user(
            email=f"op{next(_serial)}@{PUBLIC_DOMAIN}",
            password=PASSWORD,
            role=role,
            is_staff=is_staff,
            full_name="Olga Operator",
        )


def operator_session(user: User) -> str:
    return session_for(public_tenant(), user)


def console_client(user: User | None = None) -> Client:
    """A browser on the operators' site, signed in as `user` if given."""
    client = Client(HTTP_HOST=PUBLIC_DOMAIN)
    if user is not None:
        cookie = SimpleCookie()
        cookie[settings.SESSION_COOKIE_NAME] = operator_session(user)
        client.cookies.update(cookie)
    return client


def operator_ws_headers(
    *, session_key: str | None, origin: str | None = f"http://{PUBLIC_DOMAIN}"
) -> list[tuple[bytes, bytes]]:
    headers = [(b"host", PUBLIC_DOMAIN.encode())]
    if origin:
        headers.append((b"origin", origin.encode()))
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    return headers


def operator_communicator(
    session_key: str | None, *, path: str = "/ws/operators/", origin: str | None = None
) -> WebsocketCommunicator:
    from config.asgi import application

    headers = operator_ws_headers(
        session_key=session_key, origin=origin or f"http://{PUBLIC_DOMAIN}"
    )
    return WebsocketCommunicator(application, path, headers=headers)
