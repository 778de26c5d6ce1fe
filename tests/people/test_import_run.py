"""The import itself: everyone or no one, with their records, invited in their own language
only once it has committed; nothing ever reaches the other tenant of the kind."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.core import mail
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from accounts.models import PersonStatus, User
from accounts.roles import Role
from people.imports.parse import ParseError
from people.imports.services import import_start, people_import_run
from people.models import ImportJob, ImportStatus
from school.models import ClassGroup, Guardianship, StudentRecord
from tenants.models import Tenant
from tests.factories import make_user
from tests.people.helpers import clinic_csv, school_csv

pytestmark = pytest.mark.django_db

GOOD = school_csv(
    "student,Ana López,ana@x.org,E1,1° A,,es-mx",
    "student,Beto,beto@x.org,E2,,,",
    "guardian,Marta López,marta@x.org,,,ana@x.org E2 E0,",
    "teacher,Luis,luis@x.org,,,,en",
)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    return django_capture_on_commit_callbacks


def people_of(tenant: Tenant) -> set[str]:
    with tenant_context(tenant):
        return set(User.objects.values_list("email", flat=True))


def test_a_good_file_creates_everyone_with_records_and_invites_after_commit(
    school: Tenant, school_b: Tenant, on_commit: Callable[..., Any]
) -> None:
    # given a school with a group, an earlier student, and an administrator; the second
    # school already has people with the same e-mails (separate tenants: no conflict)
    admin = make_user(school, Role.ADMINISTRATOR, name="Ada Admin")
    earlier = make_user(school, Role.STUDENT, email="earlier@x.org")
    for email in ("ana@x.org", "marta@x.org"):
        make_user(school_b, Role.STUDENT, email=email)
    before_b = people_of(school_b)
    with tenant_context(school):
        ClassGroup.objects.create(name="1° A")
        StudentRecord.objects.create(student=earlier, enrolment_number="E0")
        # when the administrator starts the import, and it commits
        with on_commit(execute=False) as callbacks:
            job = import_start(by=admin, data=GOOD, file_name="people.csv")
        # then nothing is sent while the transaction is open
        assert mail.outbox == []
        assert ImportJob.objects.get().status == ImportStatus.QUEUED
        with on_commit(execute=True):
            for callback in callbacks:
                callback()
        job.refresh_from_db()
        # everyone exists, invited, with their records
        assert job.status == ImportStatus.DONE and job.created_count == 4
        assert job.invited_count == 4 and job.row_count == 4
        ana = User.objects.get(email="ana@x.org")
        assert ana.role == Role.STUDENT and ana.full_name == "Ana López"
        assert ana.status == PersonStatus.INVITED and ana.invited_at is not None
        assert ana.student_record.enrolment_number == "E1"
        assert ana.student_record.group is not None and ana.student_record.group.name == "1° A"
        assert User.objects.get(email="beto@x.org").student_record.group is None
        marta = User.objects.get(email="marta@x.org")
        children = set(
            Guardianship.objects.filter(guardian=marta).values_list("student__email", flat=True)
        )
        assert children == {"ana@x.org", "beto@x.org", "earlier@x.org"}
        assert User.objects.get(email="luis@x.org").role == Role.TEACHER
        assert EmailAddress.objects.get(user=ana).verified
    # and each got one invitation, in their own language (else the school's)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["ana@x.org", "beto@x.org", "luis@x.org", "marta@x.org"]
    assert by_recipient["ana@x.org"].subject == "Te invitamos a Alpha School en Aviso"
    assert by_recipient["beto@x.org"].subject == "You are invited to Alpha School on Aviso"
    assert by_recipient["luis@x.org"].subject == "You are invited to Alpha School on Aviso"
    assert "Ada Admin created an account for you" in by_recipient["luis@x.org"].body
    assert "/accounts/password/reset/key/" in by_recipient["marta@x.org"].body
    # and each link is one allauth accepts (the bulk path reads addresses ahead of time)
    with tenant_context(school):
        for email, message in by_recipient.items():
            key = re.search(r"/reset/key/([0-9a-z]+)-([^/\s]+)/", str(message.body))
            assert key is not None, message.body
            person = User.objects.get(email=email)
            assert key.group(1) == user_pk_to_url_str(person)
            assert default_token_generator.check_token(person, key.group(2)), email
    # and the second school is untouched
    assert people_of(school_b) == before_b


def test_a_file_with_bad_rows_imports_nothing_and_sends_nothing(
    school: Tenant, on_commit: Callable[..., Any]
) -> None:
    admin = make_user(school, Role.ADMINISTRATOR)
    before = people_of(school)
    bad = school_csv("student,Ana,ana@x.org,E1,,,", "student,Bad,not-an-email,E2,,,")
    with tenant_context(school), on_commit(execute=True):
        with pytest.raises(ValidationError, match="1 row has a problem"):
            import_start(by=admin, data=bad, file_name="bad.csv")
        with pytest.raises(ParseError, match="Missing columns"):
            import_start(by=admin, data=b"name,mail\nA,a@x.org\n", file_name="x.csv")
        assert not ImportJob.objects.exists()
    assert people_of(school) == before
    assert mail.outbox == []


def test_rows_that_went_bad_since_the_preview_fail_the_whole_import(
    school: Tenant, on_commit: Callable[..., Any]
) -> None:
    # given an import queued from a clean file
    admin = make_user(school, Role.ADMINISTRATOR)
    data = school_csv("student,Ana,ana@x.org,E1,,,", "teacher,Luis,luis@x.org,,,,")
    with tenant_context(school):
        with on_commit(execute=False):
            job = import_start(by=admin, data=data, file_name="people.csv")
        # when, before the worker runs it, someone adds Luis by hand
        make_user(school, Role.TEACHER, email="luis@x.org")
        with on_commit(execute=True):
            people_import_run(job_id=job.pk)
        job.refresh_from_db()
        # then nobody of the file is created, nobody is mailed, and the job says why
        assert job.status == ImportStatus.FAILED and job.problem_count == 1
        assert job.created_count == 0
        assert not User.objects.filter(email="ana@x.org").exists()
    assert mail.outbox == []


def test_a_failure_half_way_rolls_back_everything(
    school: Tenant, on_commit: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a clean file of 250 people (three chunks), and a database error on the last chunk
    from people.imports import services

    admin = make_user(school, Role.ADMINISTRATOR)
    rows = [f"student,S{i},s{i}@x.org,E{i},,," for i in range(250)]
    real = services._person
    calls = {"n": 0}

    def flaky(row: Any) -> User:
        calls["n"] += 1
        if calls["n"] == 201:
            raise RuntimeError("disk full")
        return real(row)

    with tenant_context(school):
        with on_commit(execute=False):
            job = import_start(by=admin, data=school_csv(*rows), file_name="big.csv")
        monkeypatch.setattr(services, "_person", flaky)
        with on_commit(execute=True):
            people_import_run(job_id=job.pk)
        job.refresh_from_db()
        # then none of the first 200 stay, the job failed with the cause, nobody was mailed
        assert job.status == ImportStatus.FAILED and "disk full" in job.error
        assert not User.objects.filter(email__startswith="s1").exists()
        assert not StudentRecord.objects.exists()
        # and running it again (a redelivered task) does nothing
        people_import_run(job_id=job.pk)
        assert not User.objects.filter(role=Role.STUDENT).exists()
    assert mail.outbox == []


def test_a_clinic_imports_its_own_roles(
    clinic: Tenant, clinic_b: Tenant, on_commit: Callable[..., Any]
) -> None:
    receptionist = make_user(clinic, Role.RECEPTIONIST)
    before_b = people_of(clinic_b)
    data = clinic_csv(
        "patient,Ana,ana@x.org,es-mx", "dentist,Luis,luis@x.org,", "receptionist,Marta,m@x.org,"
    )
    with tenant_context(clinic), on_commit(execute=True):
        job = import_start(by=receptionist, data=data, file_name="clinic.csv")
    with tenant_context(clinic):
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE
        roles = dict(User.objects.filter(email__endswith="x.org").values_list("email", "role"))
    assert roles == {"ana@x.org": "patient", "luis@x.org": "dentist", "m@x.org": "receptionist"}
    assert len(mail.outbox) == 3
    assert people_of(clinic_b) == before_b
