"""The import's pages: who may open them, the template, the preview's table of problems, the
400 page for a bad upload, and a job page that shows its state without a socket."""

import base64
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from people.models import ImportJob, ImportStatus
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.people.helpers import school_csv

pytestmark = pytest.mark.django_db

CLEAN = school_csv("student,Ana,ana@x.org,E1,,,", "teacher,Luis,luis@x.org,,,,")
BAD = school_csv("student,Ana,ana@x.org,E1,,,", "student,Bad,not-an-email,E2,,,")


def upload(client: Client, data: bytes, name: str = "people.csv") -> Any:
    return client.post("/people/import/preview/", {"file": SimpleUploadedFile(name, data)})


def job_of(tenant: Tenant, user: User, **fields: object) -> ImportJob:
    with tenant_context(tenant):
        return ImportJob.objects.create(created_by=user, file_name="p.csv", content="", **fields)


def test_the_upload_page_and_the_templates_of_each_kind(school: Tenant, clinic: Tenant) -> None:
    admin = client_for(school, make_user(school, Role.ADMINISTRATOR))
    page = admin.get("/people/import/")
    assert page.status_code == 200
    assert 'href="/people/import/template.csv"' in page.text
    assert "enrolment_number" in page.text
    school_template = admin.get("/people/import/template.csv")
    assert school_template["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in school_template["Content-Disposition"]
    header = school_template.content.decode("utf-8-sig").splitlines()[0]
    assert header == "role,full_name,email,enrolment_number,group,children,language"
    receptionist = client_for(clinic, make_user(clinic, Role.RECEPTIONIST))
    clinic_template = receptionist.get("/people/import/template.csv")
    assert clinic_template.content.decode("utf-8-sig").splitlines()[0] == (
        "role,full_name,email,language"
    )
    assert "patient" in clinic_template.content.decode()
    assert "enrolment_number" not in receptionist.get("/people/import/").text


def test_the_preview_shows_each_problem_and_refuses_to_import(school: Tenant) -> None:
    admin = client_for(school, make_user(school, Role.ADMINISTRATOR))
    response = upload(admin, BAD)
    assert response.status_code == 200
    assert "not-an-email is not a valid e-mail address." in response.text
    assert "1 row has a problem" in response.text
    assert '<button type="submit" id="import-start" disabled>Import 2 people</button>' in (
        response.text
    )
    # a clean file can be imported: the button is live
    clean = upload(admin, CLEAN)
    assert '<button type="submit" id="import-start">Import 2 people</button>' in clean.text
    assert "No problems found" in clean.text


def test_starting_a_clean_file_leads_to_its_job_page(school: Tenant) -> None:
    user = make_user(school, Role.ADMINISTRATOR)
    admin = client_for(school, user)
    content = base64.b64encode(CLEAN).decode()
    response = admin.post("/people/import/start/", {"content": content, "file_name": "a.csv"})
    assert response.status_code == 302
    with tenant_context(school):
        job = ImportJob.objects.get()
    assert response["Location"] == f"/people/import/{job.pk}/"
    page = admin.get(response["Location"])
    assert page.status_code == 200 and "Queued" in page.text and "0 of 2 rows" in page.text


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "The submitted file is empty."),
        (b"PK\x03\x04 a workbook", "This is a spreadsheet workbook"),
        (b"nombre;correo\nA;a@x.org\n", "Missing columns: role, full_name, email."),
        (b"\x00\x01\x02 binary", "This is not a CSV file."),
    ],
)
def test_a_bad_upload_gets_the_400_page_with_a_message(
    school: Tenant, data: bytes, says: str
) -> None:
    admin = client_for(school, make_user(school, Role.ADMINISTRATOR))
    response = upload(admin, data)
    assert response.status_code == 400
    assert says in response.text
    assert admin.post("/people/import/preview/", {}).status_code == 400


def test_a_start_with_problems_or_a_tampered_file_is_refused(school: Tenant) -> None:
    admin = client_for(school, make_user(school, Role.ADMINISTRATOR))
    bad = admin.post(
        "/people/import/start/", {"content": base64.b64encode(BAD).decode(), "file_name": "b.csv"}
    )
    assert bad.status_code == 400 and "1 row has a problem" in bad.text
    junk = admin.post("/people/import/start/", {"content": "not base64!", "file_name": "b.csv"})
    assert junk.status_code == 400 and "upload it again" in junk.text
    with tenant_context(school):
        assert not ImportJob.objects.exists()


def test_the_job_page_shows_the_final_state_without_a_socket(school: Tenant) -> None:
    user = make_user(school, Role.ADMINISTRATOR)
    done = job_of(
        school, user, status=ImportStatus.DONE, row_count=3, created_count=3, invited_count=3
    )
    failed = job_of(school, user, status=ImportStatus.FAILED, row_count=3, problem_count=2)
    admin = client_for(school, user)
    page = admin.get(f"/people/import/{done.pk}/")
    assert "3 people imported." in page.text and "3 invitations sent." in page.text
    assert "data-finished" in page.text
    fragment = admin.get(f"/people/import/{failed.pk}/status/")
    assert "Nothing was imported: 2 rows have problems now" in fragment.text
    # the upload page lists the person's recent imports
    assert f'href="/people/import/{done.pk}/"' in admin.get("/people/import/").text


def test_only_people_managers_and_only_their_own_jobs(
    school: Tenant, school_b: Tenant, clinic: Tenant
) -> None:
    owner = make_user(school, Role.ADMINISTRATOR)
    job = job_of(school, owner)
    colleague = client_for(school, make_user(school, Role.ADMINISTRATOR))
    # non-managers get the 403 page; strangers are sent to sign in
    for role in (Role.STUDENT, Role.TEACHER, Role.GUARDIAN):
        client = client_for(school, make_user(school, role))
        assert client.get("/people/import/").status_code == 403
        assert client.get("/people/import/template.csv").status_code == 403
        assert client.post("/people/import/preview/", {}).status_code == 403
        assert client.get(f"/people/import/{job.pk}/").status_code == 403
    anonymous = client_for(school).get("/people/import/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    dentist = client_for(clinic, make_user(clinic, Role.DENTIST))
    assert dentist.get("/people/import/").status_code == 403
    # another administrator of the school does not see the owner's job
    assert colleague.get(f"/people/import/{job.pk}/").status_code == 404
    assert colleague.get(f"/people/import/{job.pk}/status/").status_code == 404
    # nor does the other school's administrator, asking for the same id on their site
    other = client_for(school_b, make_user(school_b, Role.ADMINISTRATOR))
    assert other.get(f"/people/import/{job.pk}/").status_code == 404
    # the owner does
    assert client_for(school, owner).get(f"/people/import/{job.pk}/").status_code == 200
