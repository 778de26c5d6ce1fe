"""Signing in through the real login page, on each kind of site."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.roles import Role
from tenants.models import Tenant
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _login(host: str, email: str, password: str = PASSWORD) -> tuple[Client, int, str]:
    client = Client(HTTP_HOST=host)
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return client, response.status_code, response.get("Location", "")


def test_a_student_signs_in_on_the_school_domain_and_lands_on_the_dashboard(
    school: Tenant,
) -> None:
    make_user(school, Role.STUDENT, email="lisa@alpha-school.test")
    client, status, location = _login("alpha-school.test", "lisa@alpha-school.test")
    assert (status, location) == (302, "/")
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/school/"


def test_a_user_of_one_tenant_cannot_sign_in_on_another(school: Tenant, school_b: Tenant) -> None:
    make_user(school, Role.STUDENT, email="lisa@alpha-school.test")
    _, status, _ = _login("beta-school.test", "lisa@alpha-school.test")
    assert status == 200  # the form again, with an error


def test_a_wrong_password_is_refused(school: Tenant) -> None:
    make_user(school, Role.STUDENT, email="lisa@alpha-school.test")
    _, status, _ = _login("alpha-school.test", "lisa@alpha-school.test", "wrong")
    assert status == 200


def test_an_operator_signs_in_on_the_public_site_and_sees_the_console(school: Tenant) -> None:
    with schema_context("public"):
        User.objects.create_superuser("ops@aviso.test", PASSWORD)
    client, status, location = _login("aviso.test", "ops@aviso.test")
    assert (status, location) == (302, "/")
    assert client.get("/").status_code == 200


def test_a_tenant_user_is_not_an_operator(school: Tenant) -> None:
    make_user(school, Role.ADMINISTRATOR, email="head@alpha-school.test")
    _, status, _ = _login("aviso.test", "head@alpha-school.test")
    assert status == 200


def test_signup_is_closed_everywhere(school: Tenant) -> None:
    for host in ("alpha-school.test", "aviso.test"):
        page = Client(HTTP_HOST=host).get("/accounts/signup/")
        assert b"Sign Up Closed" in page.content or page.status_code == 404
        assert b"sign up</a>" not in Client(HTTP_HOST=host).get("/accounts/login/").content


def test_password_reset_mails_a_link_on_the_users_own_tenant_domain(
    school: Tenant, school_b: Tenant
) -> None:
    from django.core import mail

    make_user(school, Role.STUDENT, email="lisa@alpha-school.test")
    Client(HTTP_HOST="beta-school.test").post(
        "/accounts/password/reset/", {"email": "lisa@alpha-school.test"}
    )
    # there she has no account: at most allauth's "no account here" note, never a reset link
    assert not [m for m in mail.outbox if "/password/reset/key/" in str(m.body)]
    mail.outbox.clear()
    Client(HTTP_HOST="alpha-school.test").post(
        "/accounts/password/reset/", {"email": "lisa@alpha-school.test"}
    )
    (message,) = [m for m in mail.outbox if "lisa@alpha-school.test" in m.to]
    assert "http://alpha-school.test/accounts/password/reset/key/" in str(message.body)
    assert "Alpha School" in str(message.subject) + str(message.body)


def test_an_operator_signs_out_cleanly(school: Tenant) -> None:
    with schema_context("public"):
        User.objects.create_superuser("ops@aviso.test", PASSWORD)
    client, _, _ = _login("aviso.test", "ops@aviso.test")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page
