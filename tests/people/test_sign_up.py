"""Patients sign up themselves on a clinic that allows it, and nowhere else: the account is a
patient whatever the form posts, and signs in only once its address is verified."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from clinic.models import ClinicSettings
from tenants.models import Tenant
from tests.factories import domain_of

pytestmark = pytest.mark.django_db

PASSWORD = "a long Pa55word for Ned"
CLOSED = "Sign-up is closed"


def _allow(tenant: Tenant, allowed: bool) -> None:
    with tenant_context(tenant):
        ClinicSettings.objects.update_or_create(pk=1, defaults={"allow_patient_sign_up": allowed})


@pytest.fixture
def open_clinic(clinic: Tenant, clinic_b: Tenant) -> Iterator[Tenant]:
    """The first clinic allows sign-up; the second does not (the default)."""
    _allow(clinic, True)
    yield clinic


def _sign_up(host: str, email: str, **extra: str) -> tuple[Client, Any]:
    browser = Client(HTTP_HOST=host)
    response = browser.post(
        "/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra},
    )
    return browser, response


def test_a_stranger_signs_up_verifies_and_signs_in_as_a_patient(open_clinic: Tenant) -> None:
    host = domain_of(open_clinic)
    # given the clinic's login page, which offers to create an account
    login = Client(HTTP_HOST=host).get("/accounts/login/").content.decode()
    assert 'href="/accounts/signup/"' in login
    mail.outbox.clear()
    # when a stranger signs up, posting a role of her choosing too
    browser, response = _sign_up(
        host, "Maggie@Example.com", full_name="Maggie Simpson", role=Role.ADMINISTRATOR
    )
    # then she is asked to confirm her address, and is not signed in
    assert response.status_code == 302
    page = browser.get(response["Location"]).content.decode()
    assert "Confirm your e-mail address" in page
    assert browser.get("/").status_code == 302
    with tenant_context(open_clinic):
        maggie = User.objects.get(email="maggie@example.com")
        assert maggie.role == Role.PATIENT and maggie.is_active
        assert maggie.full_name == "Maggie Simpson"
    # and she cannot sign in before she confirms (another link goes out instead)
    [first] = mail.outbox
    refused = Client(HTTP_HOST=host).post(
        "/accounts/login/", {"login": "maggie@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 302 and "confirm-email" in refused["Location"]
    assert Client(HTTP_HOST=host).get("/").status_code == 302
    # when she opens the link and confirms
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", str(first.body))
    assert link, first.body
    confirmer = Client(HTTP_HOST=host)
    assert confirmer.post(link.group(1)).status_code == 302
    # then she signs in, lands on the patient's pages, and her account says patient
    signed_in = Client(HTTP_HOST=host)
    response = signed_in.post(
        "/accounts/login/", {"login": "maggie@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    account = signed_in.get("/account/me/").content.decode()
    assert "Patient" in account and "Maggie Simpson" in account


def test_the_second_clinic_stays_closed(open_clinic: Tenant, clinic_b: Tenant) -> None:
    host = domain_of(clinic_b)
    assert (
        'href="/accounts/signup/"'
        not in Client(HTTP_HOST=host).get("/accounts/login/").content.decode()
    )
    _browser, response = _sign_up(host, "someone@example.com")
    assert CLOSED in response.content.decode()
    with tenant_context(clinic_b):
        assert not User.objects.filter(email="someone@example.com").exists()


def test_a_clinic_that_does_not_allow_it_is_closed(clinic: Tenant) -> None:
    _allow(clinic, False)
    host = domain_of(clinic)
    assert CLOSED in Client(HTTP_HOST=host).get("/accounts/signup/").content.decode()
    _sign_up(host, "someone@example.com")
    with tenant_context(clinic):
        assert not User.objects.filter(email="someone@example.com").exists()


def test_schools_and_the_operators_site_never_allow_it(school: Tenant) -> None:
    for host in (domain_of(school), "aviso.test"):
        page = Client(HTTP_HOST=host).get("/accounts/signup/").content.decode()
        assert CLOSED in page
        assert (
            'href="/accounts/signup/"'
            not in Client(HTTP_HOST=host).get("/accounts/login/").content.decode()
        )
        _sign_up(host, "stranger@example.com")
    with tenant_context(school):
        assert not User.objects.filter(email="stranger@example.com").exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("taken@alpha-dental.test", "A user is already registered with this email address."),
        ("not-an-address", "Enter a valid email address."),
    ],
    ids=["duplicate", "malformed"],
)
def test_bad_sign_up_input_shows_the_problem(open_clinic: Tenant, email: str, message: str) -> None:
    with tenant_context(open_clinic):
        User.objects.create_user(email="taken@alpha-dental.test", role=Role.DENTIST)
    _browser, response = _sign_up(domain_of(open_clinic), email)
    assert message in response.content.decode()
    with tenant_context(open_clinic):
        assert User.objects.filter(role=Role.PATIENT).count() == 0


def test_invited_people_sign_in_without_being_asked_to_verify(open_clinic: Tenant) -> None:
    from tests.factories import PASSWORD as KNOWN
    from tests.factories import make_user

    desk = make_user(open_clinic, Role.RECEPTIONIST)
    response = Client(HTTP_HOST=domain_of(open_clinic)).post(
        "/accounts/login/", {"login": desk.email, "password": KNOWN}
    )
    assert response.status_code == 302 and response["Location"] == "/"
