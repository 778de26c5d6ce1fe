"""My account: every user of a tenant changes their own name, language, e-mail address and
password, and sees the change; bad input is a 400 with a message."""

import re

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from tenants.models import Tenant
from tests.factories import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

ROLES = [
    ("school", Role.ADMINISTRATOR),
    ("school", Role.TEACHER),
    ("school", Role.STUDENT),
    ("school", Role.GUARDIAN),
    ("clinic", Role.ADMINISTRATOR),
    ("clinic", Role.DENTIST),
    ("clinic", Role.RECEPTIONIST),
    ("clinic", Role.PATIENT),
]


def _reload(tenant: Tenant, user: User) -> User:
    with tenant_context(tenant):
        return User.objects.get(pk=user.pk)


@pytest.mark.parametrize(("kind", "role"), ROLES, ids=[f"{k}-{r}" for k, r in ROLES])
def test_every_role_reaches_its_account_from_the_header(
    kind: str, role: Role, request: pytest.FixtureRequest
) -> None:
    # given any user of either kind
    tenant: Tenant = request.getfixturevalue(kind)
    person = make_user(tenant, role, name="Pat Person")
    browser = client_for(tenant, person)
    # when they open a page (their inbox), then the header links to their account
    inbox = browser.get("/notifications/")
    assert 'id="aviso-account" href="/account/me/"' in inbox.content.decode()
    # and the account page shows who they are and where to change it
    page = browser.get("/account/me/").content.decode()
    assert "Pat Person" in page and person.email in page
    for link in (
        "/account/me/profile/",
        "/account/me/email/",
        "/accounts/password/change/",
        "/account/me/notifications/",
        "/account/me/sign-out-everywhere/",
    ):
        assert f'href="{link}"' in page


def test_a_stranger_is_sent_to_sign_in(school: Tenant) -> None:
    response = Client(HTTP_HOST="alpha-school.test").get("/account/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_name_and_language_change_and_later_pages_follow(school: Tenant) -> None:
    # given a student reading the school's default (English)
    lisa = make_user(school, Role.STUDENT, name="Lisa")
    browser = client_for(school, lisa)
    # when she saves a new name and Spanish
    response = browser.post(
        "/account/me/profile/", {"full_name": "Lisa Simpson", "language": "es-mx"}
    )
    assert response.status_code == 302 and response["Location"] == "/account/me/"
    # then her account shows both, and later pages are in Spanish
    page = browser.get("/account/me/")
    text = page.content.decode()
    assert page["Content-Language"] == "es-MX"
    assert "Mi cuenta" in text and "Lisa Simpson" in text and "Español (México)" in text
    assert browser.get("/notifications/")["Content-Language"] == "es-MX"
    assert _reload(school, lisa).language == "es-mx"
    # and back to the site's default
    browser.post("/account/me/profile/", {"full_name": "Lisa Simpson", "language": ""})
    assert browser.get("/account/me/")["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"full_name": "Lisa", "language": "fr"}, "Select a valid choice"),
        ({"full_name": "x" * 151, "language": ""}, "at most 150 characters"),
    ],
    ids=["unknown-language", "name-too-long"],
)
def test_bad_profile_input_is_a_400_with_a_message(
    school: Tenant, data: dict[str, str], message: str
) -> None:
    lisa = make_user(school, Role.STUDENT, name="Lisa")
    response = client_for(school, lisa).post("/account/me/profile/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _reload(school, lisa).full_name == "Lisa"


def test_email_changes_once_the_new_address_is_verified(clinic: Tenant, clinic_b: Tenant) -> None:
    # given a patient
    ned = make_user(clinic, Role.PATIENT, email="ned@alpha-dental.test")
    browser = client_for(clinic, ned)
    mail.outbox.clear()
    # when he asks for a new address
    response = browser.post("/account/me/email/", {"email": "Ned.New@Example.com"})
    assert response.status_code == 302
    # then a link goes to the new address only, and the old one still signs him in
    [sent] = mail.outbox
    assert sent.to == ["ned.new@example.com"]
    assert sent.subject.endswith("Confirm your e-mail address")
    assert "Alpha Dental" in str(sent.body)
    assert _reload(clinic, ned).email == "ned@alpha-dental.test"
    assert "ned.new@example.com" in browser.get("/account/me/").content.decode()
    # when he opens the link and confirms
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", str(sent.body))
    assert link, sent.body
    assert browser.get(link.group(1)).status_code == 200
    confirmed = browser.post(link.group(1))
    assert confirmed.status_code == 302
    # then the new address is his, and the account page shows it
    assert _reload(clinic, ned).email == "ned.new@example.com"
    assert "ned.new@example.com" in browser.get("/account/me/").content.decode()
    # and he signs in with it
    fresh = Client(HTTP_HOST="alpha-dental.test")
    signed_in = fresh.post(
        "/accounts/login/", {"login": "ned.new@example.com", "password": PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
    # and the other clinic knows nothing of it
    with tenant_context(clinic_b):
        assert not User.objects.filter(email="ned.new@example.com").exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("taken@alpha-school.test", "already has an account here"),
        ("not-an-address", "Enter a valid email address"),
    ],
    ids=["duplicate", "malformed"],
)
def test_bad_email_is_a_400_with_a_message(school: Tenant, email: str, message: str) -> None:
    make_user(school, Role.TEACHER, email="taken@alpha-school.test")
    lisa = make_user(school, Role.STUDENT)
    mail.outbox.clear()
    response = client_for(school, lisa).post("/account/me/email/", {"email": email})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert mail.outbox == []


def test_the_same_address_in_another_school_is_no_clash(school: Tenant, school_b: Tenant) -> None:
    make_user(school_b, Role.STUDENT, email="twin@example.com")
    lisa = make_user(school, Role.STUDENT)
    response = client_for(school, lisa).post("/account/me/email/", {"email": "twin@example.com"})
    assert response.status_code == 302


def test_password_change_in_the_tenant_layout(school: Tenant) -> None:
    # given a student
    lisa = make_user(school, Role.STUDENT, email="lisa@alpha-school.test")
    browser = client_for(school, lisa)
    page = browser.get("/accounts/password/change/").content.decode()
    # the page has the school's header and navigation
    assert "Alpha School" in page and 'href="/account/me/"' in page
    # when she changes her password
    response = browser.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a new Pa55word!", "password2": "a new Pa55word!"},
    )
    assert response.status_code == 302 and response["Location"] == "/account/me/"
    # then the new one signs her in and the old one does not
    fresh = Client(HTTP_HOST="alpha-school.test")
    old = fresh.post("/accounts/login/", {"login": lisa.email, "password": PASSWORD})
    assert old.status_code == 200
    new = fresh.post("/accounts/login/", {"login": lisa.email, "password": "a new Pa55word!"})
    assert new.status_code == 302


def test_the_operators_password_page_has_no_account_page_to_go_back_to(school: Tenant) -> None:
    # given an operator on the operators' site (which has no "My account")
    from tests.console.factories import make_operator, public_tenant
    from tests.factories import client_for as _client

    operator = make_operator()
    browser = _client(public_tenant(), operator)
    # when they open and use the password page
    page = browser.get("/accounts/password/change/")
    assert page.status_code == 200 and "/account/me/" not in page.content.decode()
    response = browser.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a new Pa55word!", "password2": "a new Pa55word!"},
    )
    # then it works and stays on the operators' site
    assert response.status_code == 302 and response["Location"] == "/accounts/password/change/"
