"""Signing in through the real login page, on each kind of site."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.roles import Role
from tenants.models import Tenant
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

WRONG_CREDENTIALS = "The email address and/or password you specified are not correct."


def _login(host: str, email: str, password: str = PASSWORD) -> tuple[Client, int, str]:
    client = Client(HTTP_HOST=host)
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return client, response.status_code, response.get("Location", "")


def _assert_refused(host: str, email: str, password: str = PASSWORD) -> None:
    """What a refused visitor sees: the sign-in form again, with the error and her e-mail
    filled in, and afterwards she is still signed out."""
    client = Client(HTTP_HOST=host)
    response = client.post("/accounts/login/", {"login": email, "password": password})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post"' in page and 'name="password"' in page
    assert WRONG_CREDENTIALS in page
    assert f'value="{email}"' in page
    home = client.get("/")
    assert (home.status_code, home["Location"]) == (302, "/accounts/login/?next=/")


def test_a_student_signs_in_on_the_school_domain_and_lands_on_the_dashboard(
    school: Tenant,
) -> None:
    make_user(school, Role.STUDENT, email="lisa@alpha-school.test")
    client, status, location = _login("alpha-school.test", "lisa@alpha-school.test")
    assert (status, location) == (302, "/")
    dashboard = client.get("/", follow=True)
    assert dashboard.redirect_chain[-1][0] == "/school/"
    page = dashboard.content.decode()
    assert "Welcome, lisa@alpha-school.test" in page
    assert "lisa@alpha-school.test · Student" in page and "Sign out" in page


def test_a_user_of_one_tenant_cannot_sign_in_on_another(school: Tenant, school_b: Tenant) -> None:
    make_user(school, Role.STUDENT, email="lisa@alpha-school.test")
    # given Lisa of Alpha School, when she signs in on Beta School's domain, then she is refused
    _assert_refused("beta-school.test", "lisa@alpha-school.test")


def test_a_wrong_password_is_refused(school: Tenant) -> None:
    make_user(school, Role.STUDENT, email="lisa@alpha-school.test")
    # given Lisa, when she types a wrong password on her own school's domain, then she is refused
    _assert_refused("alpha-school.test", "lisa@alpha-school.test", "wrong")


def test_an_operator_signs_in_on_the_public_site_and_sees_the_console(school: Tenant) -> None:
    with schema_context("public"):
        User.objects.create_superuser("ops@aviso.test", PASSWORD)
    client, status, location = _login("aviso.test", "ops@aviso.test")
    assert (status, location) == (302, "/")
    console = client.get("/")
    assert console.status_code == 200
    page = console.content.decode()
    assert "Aviso operators" in page and "ops@aviso.test · Operator" in page
    assert 'data-slug="school_a"' in page  # the tenants list


def test_a_tenant_user_is_not_an_operator(school: Tenant) -> None:
    # given a school's administrator, when she signs in on the operators' site, then she is
    # refused there (her account lives in the school's schema, not the public one)
    make_user(school, Role.ADMINISTRATOR, email="head@alpha-school.test")
    _assert_refused("aviso.test", "head@alpha-school.test")


def test_signup_is_closed_on_schools_and_the_operators_site(school: Tenant) -> None:
    # (clinics may open it: tests/people/test_sign_up.py)
    for host in ("alpha-school.test", "aviso.test"):
        # when a stranger opens the sign-up page, then she reads that sign-up is closed and
        # finds no form to fill in
        signup = Client(HTTP_HOST=host).get("/accounts/signup/")
        page = signup.content.decode()
        assert signup.status_code == 200
        assert "Sign-up is closed" in page
        # (the one form there is every page's language chooser)
        forms = re.findall(r'<form [^>]*action="([^"]*)"', page)
        assert forms == ["/language/"] and 'name="password1"' not in page
        # and the sign-in form offers no way to sign up
        login = Client(HTTP_HOST=host).get("/accounts/login/").content.decode()
        assert 'name="login"' in login and 'name="password"' in login
        assert "/accounts/signup/" not in login and "sign up" not in login.lower()


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
    home = client.get("/")  # back to the login page
    assert (home.status_code, home["Location"]) == (302, "/accounts/login/?next=/")
