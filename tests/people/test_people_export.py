"""The people list as a CSV download, for a school and a clinic (with the second tenant of the
kind beside them: nobody of it reaches the file): the list's filters, the list's columns,
headers in the reader's language, formulas neutralised, managers only, a fixed query count."""

import csv
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from school.models import ClassGroup, StudentRecord
from tenants.models import Tenant
from tests.factories import client_for, domain_of, make_user
from tests.people.conftest import Staff

pytestmark = pytest.mark.django_db

BOM = "\ufeff"


def read_csv(response: HttpResponseBase) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert isinstance(response, StreamingHttpResponse)
    text = response.getvalue().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


def test_the_download_holds_the_lists_people_with_its_filters(staff: Staff) -> None:
    # given customers of the tenant (one deactivated, one named like a formula), and one of
    # the other tenant of the kind
    tenant = staff.tenant
    customer = Role.STUDENT if tenant.kind == "school" else Role.PATIENT
    make_user(tenant, customer, name="Zoe Zamora", email=f"zoe@{domain_of(tenant)}")
    gone = make_user(tenant, customer, name="Xavi Gone")
    make_user(tenant, customer, name="=cmd|' /C calc'!A0")
    with tenant_context(tenant):
        User.objects.filter(pk=gone.pk).update(is_active=False)
    client = client_for(tenant, staff.manager)
    # when the manager downloads everyone, the customers, the deactivated, and a search
    everyone = read_csv(client.get("/people.csv"))
    customers = read_csv(client.get("/people.csv", {"role": customer}))
    deactivated = read_csv(client.get("/people.csv", {"status": "deactivated"}))
    found = read_csv(client.get("/people.csv", {"q": "zamo", "page": "7"}))
    # then each holds the people the list shows, with the list's columns
    expected = ["Name", "E-mail", "Role"]
    if tenant.kind == "school":
        expected += ["Enrolment number", "Group"]
    assert everyone[0] == [*expected, "Status", "Joined"]
    names = [row[0] for row in everyone[1:]]
    assert {"Zoe Zamora", "Xavi Gone", "Ada Admin", "Olga Other"} <= set(names)
    assert {row[2] for row in customers[1:]} == {customer.label}
    assert [row[0] for row in deactivated[1:]] == ["Xavi Gone"]
    assert deactivated[1][-2] == "Deactivated"
    assert found[1:] and [row[1] for row in found[1:]] == [f"zoe@{domain_of(tenant)}"]
    joined = found[1][-1]
    assert len(joined) == 10 and joined[4] == "-" and joined[7] == "-"  # an ISO date
    # and the formula is text, and the list page's link carries the filters
    assert "'=cmd|' /C calc'!A0" in names
    page = client.get("/people/", {"role": customer, "page": "1"})
    assert f'href="/people.csv?role={customer}"' in page.text


def test_nobody_of_the_other_tenant_is_in_the_download(
    school: Tenant, school_b: Tenant, clinic: Tenant, clinic_b: Tenant
) -> None:
    # given a person in each second tenant, and an administrator of each first one
    for there in (school_b, clinic_b):
        make_user(there, Role.ADMINISTRATOR, name="Beyond The Wall")
    for here in (school, clinic):
        admin = make_user(here, Role.ADMINISTRATOR, name="Here Admin")
        # when the administrator downloads everyone
        rows = read_csv(client_for(here, admin).get("/people.csv"))
        # then only their own tenant's people are there
        assert "Here Admin" in {row[0] for row in rows}
        assert "Beyond The Wall" not in str(rows)


def test_only_people_managers_may_download_and_bad_filters_are_400(staff: Staff) -> None:
    tenant = staff.tenant
    customer = make_user(tenant, Role.STUDENT if tenant.kind == "school" else Role.PATIENT)
    assert client_for(tenant, staff.other).get("/people.csv").status_code == 403
    assert client_for(tenant, customer).get("/people.csv").status_code == 403
    anonymous = client_for(tenant).get("/people.csv")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client = client_for(tenant, staff.manager)
    assert client.get("/people.csv", {"status": "sleeping"}).status_code == 400
    not_here = Role.PATIENT if tenant.kind == "school" else Role.STUDENT
    assert client.get("/people.csv", {"role": not_here}).status_code == 400


def test_a_school_download_has_enrolment_numbers_and_groups_in_flat_queries(
    school: Tenant, school_b: Tenant
) -> None:
    admin = make_user(school, Role.ADMINISTRATOR)
    client = client_for(school, admin)
    with tenant_context(school):
        group = ClassGroup.objects.create(name="3° C")

    def students(count: int, start: int) -> None:
        with tenant_context(school):
            made = User.objects.bulk_create(
                User(email=f"x{n:04}@alpha.test", role=Role.STUDENT, full_name=f"Kid {n:04}")
                for n in range(start, start + count)
            )
            StudentRecord.objects.bulk_create(
                StudentRecord(student=s, enrolment_number=f"X{n:04}", group=group)
                for n, s in enumerate(made, start)
            )

    # given 2 students, then 1,000 more: the file of each is read in as many queries
    students(2, 0)
    with CaptureQueriesContext(connection) as few:
        assert len(read_csv(client.get("/people.csv", {"role": "student"}))) == 3
    students(1000, 2)
    with CaptureQueriesContext(connection) as many:
        rows = read_csv(client.get("/people.csv", {"role": "student"}))
    assert len(rows) == 1003
    assert rows[43][:5] == ["Kid 0042", "x0042@alpha.test", "Student", "X0042", "3° C"]
    assert len(few.captured_queries) == len(many.captured_queries)


def test_a_spanish_manager_gets_spanish_headers_and_labels(clinic: Tenant) -> None:
    # given a clinic administrator who reads Spanish
    admin = make_user(clinic, Role.ADMINISTRATOR, name="Lupita")
    with tenant_context(clinic):
        User.objects.filter(pk=admin.pk).update(language="es-mx")
    # when they download the people
    response = client_for(clinic, admin).get("/people.csv")
    rows = read_csv(response)
    # then the BOM is there, the header and the labels are Spanish, the date is ISO
    assert rows[0] == ["Nombre", "Correo electrónico", "Rol", "Estado", "Fecha de alta"]
    lupita = next(row for row in rows if row[0] == "Lupita")
    assert lupita[2:4] == ["Administrador", "Activa"]
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{clinic.slug}-people-'
    )
