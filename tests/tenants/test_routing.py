"""Given a host, which site answers: the tenant's own kind, the operators' site, or nobody."""

import pytest
from django.test import Client

from accounts.roles import Role
from tenants.models import Tenant, TenantStatus
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db


def test_unknown_host_gets_404_not_the_public_site() -> None:
    response = Client(HTTP_HOST="nobody.test").get("/")
    assert response.status_code == 404
    assert b"no Aviso site" in response.content
    assert b"Onboard" not in response.content


def test_school_has_school_urls_and_no_clinic_urls(school: Tenant) -> None:
    admin = make_user(school, Role.ADMINISTRATOR)
    client = client_for(school, admin)
    assert client.get("/school/").status_code == 200
    assert client.get("/clinic/").status_code == 404


def test_clinic_has_clinic_urls_and_no_school_urls(clinic: Tenant) -> None:
    dentist = make_user(clinic, Role.DENTIST)
    client = client_for(clinic, dentist)
    assert client.get("/clinic/").status_code == 200
    assert client.get("/school/").status_code == 404


def test_home_sends_each_kind_to_its_dashboard(school: Tenant, clinic: Tenant) -> None:
    student = make_user(school, Role.STUDENT)
    patient = make_user(clinic, Role.PATIENT)
    assert client_for(school, student).get("/")["Location"] == "/school/"
    assert client_for(clinic, patient).get("/")["Location"] == "/clinic/"


def test_suspended_tenant_answers_a_clear_page(school: Tenant, school_b: Tenant) -> None:
    student = make_user(school, Role.STUDENT)
    Tenant.objects.filter(pk=school.pk).update(status=TenantStatus.SUSPENDED)
    response = client_for(school, student).get("/school/")
    assert response.status_code == 403
    assert b"is suspended" in response.content
    # the other school is untouched
    other = make_user(school_b, Role.STUDENT)
    assert client_for(school_b, other).get("/school/").status_code == 200


def test_public_site_is_not_reachable_on_a_tenant_domain(school: Tenant) -> None:
    # given the operators' onboarding page, which exists on the operators' host
    public = Client(HTTP_HOST="aviso.test").get("/tenants/new/")
    assert (public.status_code, public["Location"]) == (302, "/accounts/login/?next=/tenants/new/")
    # when the school's own administrator asks for the same path on the school's domain
    head = make_user(school, Role.ADMINISTRATOR)
    response = client_for(school, head).get("/tenants/new/")
    # then the school's site has no such page
    assert response.status_code == 404
