"""The preview: every row with the problems that keep it out, found against the file itself
and the tenant's own people and records, in a few queries whatever the file's length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.roles import Role
from people.imports.selectors import Preview
from people.imports.services import preview_file
from school.models import ClassGroup, StudentRecord
from tenants.models import Tenant
from tests.factories import make_user
from tests.people.helpers import big_school_csv, clinic_csv, school_csv

pytestmark = pytest.mark.django_db


def preview(tenant: Tenant, data: bytes) -> Preview:
    with tenant_context(tenant):
        return preview_file(data=data)[1]


def problems(result: Preview) -> dict[int, list[str]]:
    return {row.number: row.problems for row in result.rows if row.problems}


def test_a_clean_school_file_is_ready(school: Tenant) -> None:
    with tenant_context(school):
        ClassGroup.objects.create(name="1° A")
    result = preview(
        school,
        school_csv(
            "student,Ana López,ANA@x.org,E1,1° a,,es-mx",
            "Alumno,Beto,beto@x.org,E2,,,",  # the role in Spanish, no group
            "guardian,Marta,marta@x.org,,,ana@x.org E2,English",
            "teacher,Luis,luis@x.org,,,,",
        ),
    )
    assert problems(result) == {}
    assert result.ready
    ana, beto, marta, _luis = result.rows
    assert ana.email == "ana@x.org" and ana.language == "es-mx" and ana.group_id is not None
    assert beto.role == Role.STUDENT and marta.language == "en"
    assert marta.child_rows == [2, 3]
    assert result.counts_by_role() == [("Teacher", 1), ("Student", 2), ("Guardian", 1)]


def test_every_problem_kind_is_named_on_its_row(school: Tenant, school_b: Tenant) -> None:
    # given a school with two students already (and the second school with other people)
    existing = make_user(school, Role.STUDENT, email="old@x.org")
    kid = make_user(school, Role.STUDENT, email="kid@x.org")
    with tenant_context(school):
        StudentRecord.objects.create(student=existing, enrolment_number="OLD1")
        StudentRecord.objects.create(student=kid, enrolment_number="KID1")
    make_user(school_b, Role.STUDENT, email="elsewhere@x.org")
    # when a file with one fault per row is previewed
    result = preview(
        school,
        school_csv(
            "student,Bad Mail,not-an-email,E1,,,",  # 2
            "student,Dup,dup@x.org,E2,,,",  # 3
            "teacher,Dup again,DUP@x.org,,,,",  # 4
            "student,Old,old@x.org,E3,,,",  # 5
            "administrator,Boss,boss@x.org,,,,",  # 6
            "janitor,Jan,jan@x.org,,,,",  # 7
            "student,No Number,nonum@x.org,,,,",  # 8
            "student,Taken,taken@x.org,OLD1,,,",  # 9
            "student,Twice,twice@x.org,E2,,,",  # 10
            "student,Lost,lost@x.org,E4,9° Z,,",  # 11
            "guardian,Gus,gus@x.org,,,nobody@x.org kid1 E2,",  # 12
            "teacher,Tess,tess@x.org,,1° A,,",  # 13
            "teacher,Tom,tom@x.org,,,E2,",  # 14
            "student,Lang,lang@x.org,E5,,,klingon",  # 15
            "student,,,E6,,,",  # 16
            "student,Elsewhere,elsewhere@x.org,E7,,,",  # 17: only in the other school
        ),
    )
    # then each row says what is wrong with it, and only that
    found = problems(result)
    assert found == {
        2: ["not-an-email is not a valid e-mail address."],
        4: ["dup@x.org is also on row 3."],
        5: ["old@x.org already has an account here."],
        6: ["Unknown role “administrator”: write one of teacher, student, guardian."],
        7: ["Unknown role “janitor”: write one of teacher, student, guardian."],
        8: ["A student needs an enrolment number."],
        9: ["Enrolment number OLD1 is already taken."],
        10: ["Enrolment number E2 is also on row 3."],
        11: ["There is no group “9° Z” in this school."],
        12: ["No student nobody@x.org, here or in this file."],
        13: ["Only students have an enrolment number and a group."],
        14: ["Only guardians have children."],
        15: ["Unknown language “klingon”: write en, es-mx or leave it empty."],
        16: ["The e-mail address is missing."],
    }
    assert not result.ready
    # and a child found here or in the file is resolved
    gus = result.rows[10]
    assert gus.child_ids == [kid.pk] and gus.child_rows == [3]


def test_clinic_roles_and_long_values(clinic: Tenant) -> None:
    long_name = "N" * 151
    result = preview(
        clinic,
        clinic_csv(
            "patient,Ana,ana@x.org,",
            "Dentista,Luis,luis@x.org,es",
            "receptionist,Marta,marta@x.org,EN",
            "student,Sam,sam@x.org,",
            f"patient,{long_name},long@x.org,",
            "patient,Long Mail," + "a" * 250 + "@x.org,",
        ),
    )
    assert [row.role for row in result.rows[:3]] == [Role.PATIENT, Role.DENTIST, Role.RECEPTIONIST]
    assert result.rows[1].language == "es-mx" and result.rows[2].language == "en"
    assert problems(result) == {
        5: ["Unknown role “student”: write one of dentist, receptionist, patient."],
        6: ["The name is longer than 150 characters."],
        7: ["a" * 250 + "@x.org is not a valid e-mail address."],
    }


def test_a_thousand_rows_take_a_handful_of_queries(school: Tenant) -> None:
    with tenant_context(school):
        ClassGroup.objects.create(name="1° A")
        with CaptureQueriesContext(connection) as queries:
            result = preview_file(data=big_school_csv(1000))[1]
    assert len(result.rows) == 1000 and result.ready
    assert len(queries) <= 12  # the same few whatever the length
