"""The people pages as a people manager uses them, for a school and a clinic (with the second
tenant of the kind beside them): listing, adding with role records, invitations that work,
role changes and deactivation that end sessions, deletion rules, access and bad input."""

import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.models import PersonStatus, User
from accounts.roles import Role
from realtime.models import Notification
from school.models import ClassGroup, Grade, Guardianship, StudentRecord
from tenants.models import Tenant
from tests.factories import PASSWORD, client_for, domain_of, make_user
from tests.people.conftest import Staff
from tests.school.factories import make_assessment, make_course, make_grade

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://\S+/accounts/password/reset/key/\S+")


def people_of(tenant: Tenant, **filters: Any) -> list[User]:
    with tenant_context(tenant):
        return list(User.objects.filter(**filters))


def fresh(tenant: Tenant, user: User) -> User:
    with tenant_context(tenant):
        return User.objects.get(pk=user.pk)


def add(client: Client, **form: Any) -> Any:
    return client.post("/people/add/", {"full_name": "", "email": "", "role": "", **form})


# --- the list --------------------------------------------------------------------------------


def test_the_list_searches_and_filters(staff: Staff) -> None:
    # given people of several roles, one deactivated and one who never chose a password
    tenant = staff.tenant
    customer = Role.STUDENT if tenant.kind == "school" else Role.PATIENT
    make_user(tenant, customer, name="Zoe Zamora", email=f"zoe@{domain_of(tenant)}")
    make_user(tenant, customer, name="Yuri Young")
    gone = make_user(tenant, customer, name="Xavi Gone")
    with tenant_context(tenant):
        User.objects.filter(pk=gone.pk).update(is_active=False)
        invited = User.objects.create_user(email=f"new@{domain_of(tenant)}", role=customer)
    client = client_for(tenant, staff.manager)
    # when the manager searches by name and by e-mail, and filters by role and status
    by_name = client.get("/people/", {"q": "zamo"})
    by_email = client.get("/people/", {"q": "ZOE@"})
    by_role = client.get("/people/", {"role": customer})
    deactivated = client.get("/people/", {"status": "deactivated"})
    invited_page = client.get("/people/", {"status": "invited"})
    nobody = client.get("/people/", {"q": "no such person"})
    # then each shows who matches
    assert [p.display_name for p in by_name.context["page"]] == ["Zoe Zamora"]
    assert [p.display_name for p in by_email.context["page"]] == ["Zoe Zamora"]
    assert {p.display_name for p in by_role.context["page"]} >= {"Zoe Zamora", "Xavi Gone"}
    assert {p.role for p in by_role.context["page"]} == {customer}
    assert [p.pk for p in deactivated.context["page"]] == [gone.pk]
    invited_rows = list(invited_page.context["page"])
    assert invited.pk in {p.pk for p in invited_rows}  # (and the onboarding's administrator)
    assert {p.status for p in invited_rows} == {PersonStatus.INVITED}
    assert "Nobody matches" in nobody.text
    assert "Add a person" in by_name.text and "Xavi Gone" in deactivated.text


def test_a_school_list_finds_students_by_enrolment_number_and_pages_them(
    school: Tenant, school_b: Tenant
) -> None:
    # given 120 students in groups, and an administrator
    admin = make_user(school, Role.ADMINISTRATOR, name="Ada Admin")
    with tenant_context(school):
        group = ClassGroup.objects.create(name="1° A")
        for n in range(120):
            student = User.objects.create_user(
                email=f"s{n:03}@alpha.test", role=Role.STUDENT, full_name=f"Student {n:03}"
            )
            StudentRecord.objects.create(student=student, enrolment_number=f"E{n:04}", group=group)
    client = client_for(school, admin)
    # when the administrator opens the pages of the list, and searches an enrolment number
    with CaptureQueriesContext(connection) as first:
        page1 = client.get("/people/", {"role": "student"})
    with CaptureQueriesContext(connection) as last:
        page3 = client.get("/people/", {"role": "student", "page": "3"})
    found = client.get("/people/", {"q": "E0042"})
    # then 50 a page, each with their number and group, in as many queries whatever the page
    assert len(page1.context["page"]) == 50 and len(page3.context["page"]) == 20
    assert "page 1 of 3" in page1.text and "E0000" in page1.text and "1° A" in page1.text
    assert "role=student&amp;page=2" in page1.text
    assert len(first.captured_queries) == len(last.captured_queries)
    assert [p.email for p in found.context["page"]] == ["s042@alpha.test"]


def test_the_list_query_count_does_not_grow_with_the_page(school: Tenant, school_b: Tenant) -> None:
    admin = make_user(school, Role.ADMINISTRATOR)
    client = client_for(school, admin)
    with tenant_context(school):
        group = ClassGroup.objects.create(name="2° B")

    def students(count: int, start: int) -> None:
        with tenant_context(school):
            for n in range(start, start + count):
                s = User.objects.create_user(email=f"q{n}@alpha.test", role=Role.STUDENT)
                StudentRecord.objects.create(student=s, enrolment_number=f"Q{n}", group=group)

    # given 2 students, then 42: the list of each is read in as many queries
    students(2, 0)
    with CaptureQueriesContext(connection) as few:
        client.get("/people/")
    students(40, 2)
    with CaptureQueriesContext(connection) as many:
        client.get("/people/")
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_list_is_empty_but_friendly_and_bad_filters_are_400(clinic: Tenant) -> None:
    admin = make_user(clinic, Role.ADMINISTRATOR)
    client = client_for(clinic, admin)
    assert client.get("/people/", {"role": "student"}).status_code == 400  # not a clinic role
    assert client.get("/people/", {"status": "sleeping"}).status_code == 400
    assert client.get("/people/", {"page": "\u0661"}).status_code == 400
    assert "Nobody matches" in client.get("/people/", {"role": "patient"}).text


# --- adding and inviting ---------------------------------------------------------------------


def follow_invitation(tenant: Tenant, message: Any, password: str = PASSWORD) -> Client:
    """Opens the e-mail's link and chooses a password, as the invited person would."""
    [link] = LINK.findall(message.body)
    browser = Client(HTTP_HOST=domain_of(tenant))
    path = link.split(domain_of(tenant), 1)[1]
    form = browser.get(path, follow=True)
    assert form.status_code == 200 and "password1" in form.text, form.text[:500]
    done = browser.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": password, "password2": password},
    )
    assert done.status_code == 302, done.text[:500]
    return browser


def test_a_school_administrator_adds_a_student_and_a_guardian_who_are_invited_in_spanish(
    school: Tenant, school_b: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    # given a Spanish-speaking school with a group and an administrator
    Tenant.objects.filter(pk=school.pk).update(default_language="es-mx")
    admin = make_user(school, Role.ADMINISTRATOR, name="Ada Admin")
    with tenant_context(school):
        group = ClassGroup.objects.create(name="3° C")
    client = client_for(school, admin)
    # when they add a student with an enrolment number and group, then her guardian
    with django_capture_on_commit_callbacks(execute=True):
        student_page = add(
            client,
            full_name="Lisa Simpson",
            email="Lisa@Alpha.test",
            role="student",
            enrolment_number="2026-001",
            group=str(group.pk),
        )
    [lisa] = people_of(school, email="lisa@alpha.test")
    with django_capture_on_commit_callbacks(execute=True):
        guardian_page = add(
            client,
            full_name="Marge Simpson",
            email="marge@alpha.test",
            role="guardian",
            children=[str(lisa.pk)],
        )
    [marge] = people_of(school, email="marge@alpha.test")
    # then each lands on their page with a message, with their role records
    assert student_page.status_code == 302 and student_page["Location"] == f"/people/{lisa.pk}/"
    assert guardian_page["Location"] == f"/people/{marge.pk}/"
    with tenant_context(school):
        record = StudentRecord.objects.get(student=lisa)
        assert (record.enrolment_number, record.group_id) == ("2026-001", group.pk)
        assert list(Guardianship.objects.values_list("guardian", "student")) == [
            (marge.pk, lisa.pk)
        ]
    detail = client.get(f"/people/{marge.pk}/")
    assert "Lisa Simpson" in detail.text and "2026-001" in detail.text
    assert "Invitada" in detail.text or "Invited" in detail.text
    # and both got an invitation in the school's language, sent and not yet used
    assert [m.to for m in mail.outbox] == [["lisa@alpha.test"], ["marge@alpha.test"]]
    assert "invitación" in mail.outbox[1].subject.lower() or "invit" in mail.outbox[1].subject
    assert "Elige tu contraseña" in mail.outbox[1].body
    assert fresh(school, marge).status == PersonStatus.INVITED
    assert fresh(school, marge).invited_at is not None
    # when the guardian follows her link and chooses a password
    follow_invitation(school, mail.outbox[1])
    # then she is active and signs in with it
    assert fresh(school, marge).status == PersonStatus.ACTIVE
    signed_in = Client(HTTP_HOST=domain_of(school))
    answer = signed_in.post("/accounts/login/", {"login": "marge@alpha.test", "password": PASSWORD})
    assert answer.status_code == 302 and int(signed_in.session["_auth_user_id"]) == marge.pk
    # and nothing reached the other school
    assert not people_of(school_b, email__in=["lisa@alpha.test", "marge@alpha.test"])


def test_each_role_can_be_added(staff: Staff, django_capture_on_commit_callbacks: Any) -> None:
    tenant = staff.tenant
    client = client_for(tenant, staff.manager)
    roles = (
        ["administrator", "teacher", "guardian"]
        if tenant.kind == "school"
        else ["administrator", "dentist", "receptionist", "patient"]
    )
    for n, role in enumerate(roles):
        with django_capture_on_commit_callbacks(execute=True):
            answer = add(client, full_name=f"P{n}", email=f"p{n}@x.test", role=role)
        assert answer.status_code == 302, answer.context["form"].errors
        [person] = people_of(tenant, email=f"p{n}@x.test")
        assert person.role == role and person.status == PersonStatus.INVITED
    assert len(mail.outbox) == len(roles)
    assert "Choose your password" in mail.outbox[0].body


def test_a_receptionist_cannot_make_administrators(
    clinic: Tenant, clinic_b: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    # given a receptionist and an administrator of the clinic
    desk = make_user(clinic, Role.RECEPTIONIST, name="Desk")
    admin = make_user(clinic, Role.ADMINISTRATOR, name="Boss")
    client = client_for(clinic, desk)
    # then the form offers no administrator role, and posting one is refused
    form = client.get("/people/add/")
    assert form.status_code == 200
    assert 'value="administrator"' not in form.text and 'value="patient"' in form.text
    refused = add(client, full_name="Eve", email="eve@x.test", role="administrator")
    assert refused.status_code == 400 and "role" in refused.context["form"].errors
    assert not people_of(clinic, email="eve@x.test")
    # nor may they deactivate or re-role an administrator
    assert client.post(f"/people/{admin.pk}/deactivate/").status_code == 400
    changed = client.post(f"/people/{admin.pk}/role/", {"role": "patient"})
    assert changed.status_code == 400
    assert fresh(clinic, admin).is_active and fresh(clinic, admin).role == Role.ADMINISTRATOR
    # but they add a patient
    with django_capture_on_commit_callbacks(execute=True):
        ok = add(client, full_name="Pat", email="pat@x.test", role="patient")
    assert ok.status_code == 302 and len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"role": "operator"}, "role"),
        ({"role": "dentist"}, "role"),  # a clinic's role, at a school
        ({"email": "not an address"}, "email"),
        ({"email": "taken@alpha.test"}, "email"),
        ({"enrolment_number": ""}, "enrolment_number"),
        ({"enrolment_number": "E-1"}, "enrolment_number"),  # taken
        ({"group": "999999"}, "group"),
        ({"group": "\u0661"}, "group"),
    ],
)
def test_bad_student_input_is_a_400_with_the_form_message_and_nothing_written(
    school: Tenant, school_b: Tenant, form: dict[str, str], field: str
) -> None:
    admin = make_user(school, Role.ADMINISTRATOR)
    taken = make_user(school, Role.STUDENT, email="taken@alpha.test")
    with tenant_context(school):
        StudentRecord.objects.create(student=taken, enrolment_number="E-1")
        before = User.objects.count()
    answer = add(
        client_for(school, admin),
        **{
            "full_name": "New",
            "email": "new@alpha.test",
            "role": "student",
            "enrolment_number": "E-2",
            **form,
        },
    )
    assert answer.status_code == 400
    assert field in answer.context["form"].errors, answer.context["form"].errors
    assert str(answer.context["form"].errors[field][0]) in answer.text.replace("&#x27;", "'")
    with tenant_context(school):
        assert User.objects.count() == before


def test_a_guardians_children_are_students_of_this_school_only(
    school: Tenant, school_b: Tenant
) -> None:
    # given a student here, a teacher here, and a student of the other school
    admin = make_user(school, Role.ADMINISTRATOR)
    teacher = make_user(school, Role.TEACHER)
    elsewhere = make_user(school_b, Role.STUDENT)
    client = client_for(school, admin)
    # when a guardian is added with the teacher, or the other school's student, as a child
    for child in (teacher, elsewhere):
        answer = add(
            client, full_name="G", email="g@alpha.test", role="guardian", children=[child.pk]
        )
        # then the form says so and nothing is written
        assert answer.status_code == 400 and "children" in answer.context["form"].errors
    assert not people_of(school, email="g@alpha.test")
    with tenant_context(school):
        assert not Guardianship.objects.exists()


# --- the person's page and its actions -------------------------------------------------------


def test_resend_is_for_invited_people_and_says_when(
    staff: Staff, django_capture_on_commit_callbacks: Any
) -> None:
    tenant = staff.tenant
    client = client_for(tenant, staff.manager)
    with django_capture_on_commit_callbacks(execute=True):
        add(client, full_name="Nina", email="nina@x.test", role="administrator")
    [nina] = people_of(tenant, email="nina@x.test")
    page = client.get(f"/people/{nina.pk}/")
    assert "Resend the invitation" in page.text and "not used yet" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/people/{nina.pk}/resend/", follow=True)
    assert "A new invitation is on its way to nina@x.test" in again.text
    assert [m.to for m in mail.outbox] == [["nina@x.test"], ["nina@x.test"]]
    # an active person has nothing to resend
    refused = client.post(f"/people/{staff.other.pk}/resend/")
    assert refused.status_code == 400 and "already chosen a password" in refused.text
    assert len(mail.outbox) == 2


def test_a_role_change_signs_the_person_out(staff: Staff) -> None:
    # given someone signed in
    tenant = staff.tenant
    theirs = client_for(tenant, staff.other)
    assert theirs.get("/").status_code in (200, 302)
    home = theirs.get("/people/")
    assert home.status_code == 403
    # when a manager makes them an administrator
    changed = client_for(tenant, staff.manager).post(
        f"/people/{staff.other.pk}/role/", {"role": "administrator"}, follow=True
    )
    # then it says so, and their browser is signed out
    assert changed.status_code == 200 and "signed out everywhere" in changed.text
    assert fresh(tenant, staff.other).role == Role.ADMINISTRATOR
    answer = theirs.get("/people/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_a_student_becomes_a_teacher_and_back(school: Tenant, school_b: Tenant) -> None:
    admin = make_user(school, Role.ADMINISTRATOR)
    bart = make_user(school, Role.STUDENT, name="Bart")
    homer = make_user(school, Role.GUARDIAN, name="Homer")
    with tenant_context(school):
        StudentRecord.objects.create(student=bart, enrolment_number="B-1")
        Guardianship.objects.create(guardian=homer, student=bart)
    client = client_for(school, admin)
    # a student who becomes a teacher has no student record or guardian any more
    assert client.post(f"/people/{bart.pk}/role/", {"role": "teacher"}).status_code == 302
    with tenant_context(school):
        assert not StudentRecord.objects.filter(student=bart).exists()
        assert not Guardianship.objects.filter(student=bart).exists()
    # back to student: an enrolment number is needed
    refused = client.post(f"/people/{bart.pk}/role/", {"role": "student"})
    assert refused.status_code == 400 and "enrolment_number" in refused.context["role_form"].errors
    assert fresh(school, bart).role == Role.TEACHER
    ok = client.post(f"/people/{bart.pk}/role/", {"role": "student", "enrolment_number": "B-2"})
    assert ok.status_code == 302 and fresh(school, bart).role == Role.STUDENT


def test_deactivated_people_cannot_sign_in_and_their_grades_stay(
    school: Tenant, school_b: Tenant
) -> None:
    # given a student with a grade, signed in
    admin = make_user(school, Role.ADMINISTRATOR)
    lisa = make_user(school, Role.STUDENT, name="Lisa", email="lisa@alpha.test")
    with tenant_context(school):
        course = make_course(students=[lisa])
        grade = make_grade(make_assessment(course), lisa, "90", by=admin, published=True)
    hers = client_for(school, lisa)
    assert hers.get("/school/my/grades/").status_code == 200
    client = client_for(school, admin)
    # when the administrator confirms her deactivation
    confirm = client.get(f"/people/{lisa.pk}/deactivate/")
    assert confirm.status_code == 200 and "Deactivate Lisa?" in confirm.text
    done = client.post(f"/people/{lisa.pk}/deactivate/", follow=True)
    # then she is deactivated and signed out, cannot sign in again, and her grade stays
    assert "deactivated and signed out everywhere" in done.text
    assert fresh(school, lisa).status == PersonStatus.DEACTIVATED
    assert hers.get("/school/my/grades/").status_code == 302
    again = Client(HTTP_HOST=domain_of(school))
    answer = again.post("/accounts/login/", {"login": "lisa@alpha.test", "password": PASSWORD})
    assert "_auth_user_id" not in again.session
    assert answer.status_code in (200, 302) and "/school/" not in answer.get("Location", "")
    with tenant_context(school):
        assert Grade.objects.filter(pk=grade.pk).exists()
    # and she can be reactivated
    client.post(f"/people/{lisa.pk}/reactivate/")
    assert fresh(school, lisa).status == PersonStatus.ACTIVE


def test_nobody_deactivates_themselves_or_the_last_administrator(staff: Staff) -> None:
    tenant = staff.tenant
    with tenant_context(tenant):
        User.objects.filter(role=Role.ADMINISTRATOR).exclude(pk=staff.manager.pk).update(
            is_active=False
        )
    client = client_for(tenant, staff.manager)
    myself = client.post(f"/people/{staff.manager.pk}/deactivate/")
    assert myself.status_code == 400 and "cannot deactivate yourself" in myself.text
    # another administrator (of a clinic: a receptionist is a manager too) cannot remove the
    # last active one either
    if tenant.kind == "clinic":
        desk = make_user(tenant, Role.RECEPTIONIST)
        refused = client_for(tenant, desk).post(f"/people/{staff.manager.pk}/deactivate/")
        assert refused.status_code == 400
    second = make_user(tenant, Role.ADMINISTRATOR)
    with tenant_context(tenant):
        User.objects.filter(pk=staff.manager.pk).update(is_active=False)
    last = client_for(tenant, second)
    demoted = last.post(f"/people/{second.pk}/role/", {"role": staff.other.role})
    assert demoted.status_code == 400
    assert fresh(tenant, second).role == Role.ADMINISTRATOR and fresh(tenant, second).is_active


def test_only_an_unused_invitation_without_history_is_deleted(
    school: Tenant, school_b: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_user(school, Role.ADMINISTRATOR)
    client = client_for(school, admin)
    # given someone invited by mistake (with a notification), a student who signed in, and an
    # invited student who already has a grade
    with django_capture_on_commit_callbacks(execute=True):
        add(client, full_name="Oops", email="oops@alpha.test", role="teacher")
        add(
            client,
            full_name="Graded",
            email="graded@alpha.test",
            role="student",
            enrolment_number="G-1",
        )
    [oops] = people_of(school, email="oops@alpha.test")
    [graded] = people_of(school, email="graded@alpha.test")
    signed_in = make_user(school, Role.STUDENT, name="Active")
    with tenant_context(school):
        Notification.objects.create(recipient=oops, seq=1, type="test", data={})
        course = make_course(students=[graded])
        make_grade(make_assessment(course), graded, "80", by=admin)
    # then the mistake can be deleted after a confirmation, with its notifications
    assert "Delete" in client.get(f"/people/{oops.pk}/").text
    assert client.get(f"/people/{oops.pk}/delete/").status_code == 200
    deleted = client.post(f"/people/{oops.pk}/delete/", follow=True)
    assert "is deleted" in deleted.text and not people_of(school, email="oops@alpha.test")
    # and the others are told to deactivate instead
    for person, reason in ((signed_in, "has signed in"), (graded, "grades")):
        refused = client.post(f"/people/{person.pk}/delete/")
        assert refused.status_code == 400 and reason in refused.text
        assert "deactivate them instead" in refused.text
        assert people_of(school, pk=person.pk)


# --- access ----------------------------------------------------------------------------------


def test_managers_only(staff: Staff) -> None:
    tenant = staff.tenant
    pages = ["/people/", "/people/add/", f"/people/{staff.manager.pk}/"]
    # a non-manager gets 403 and a stranger the login page
    for path in pages:
        assert client_for(tenant, staff.other).get(path).status_code == 403, path
        anonymous = client_for(tenant).get(path)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    refused = client_for(tenant, staff.other).post(f"/people/{staff.manager.pk}/deactivate/")
    assert refused.status_code == 403 and fresh(tenant, staff.manager).is_active
    # and nobody is found by an id no one has
    manager = client_for(tenant, staff.manager)
    assert manager.get("/people/999999/").status_code == 404
    assert manager.post("/people/999999/deactivate/").status_code == 404


def test_a_person_of_the_other_tenant_is_404(staff: Staff) -> None:
    # given a person of the second tenant of the kind, with an id nobody has in the first
    tenant = staff.tenant
    other_tenant = Tenant.objects.get(schema_name=tenant.schema_name.replace("_a", "_b"))
    with tenant_context(other_tenant):
        theirs = User.objects.create_user(email="far@away.test", role=Role.ADMINISTRATOR, id=555555)
    assert not people_of(tenant, pk=theirs.pk)
    client = client_for(tenant, staff.manager)
    # then every page of theirs is 404 here, and nothing happens to them
    assert client.get(f"/people/{theirs.pk}/").status_code == 404
    for action in ("deactivate", "delete", "resend", "reactivate", "role"):
        answer = client.post(f"/people/{theirs.pk}/{action}/", {"role": "teacher"})
        assert answer.status_code == 404, action
    assert fresh(other_tenant, theirs).is_active
    assert fresh(other_tenant, theirs).role == Role.ADMINISTRATOR
    assert not people_of(other_tenant, email="far@away.test", is_active=False)
