"""A school administrator runs the school's people from the browser: adds a student (with her
enrolment number and group) and her guardian (with the student as child); the guardian's
invitation link lets her choose a password, and she signs in with it. Then the people pages
as they look, desktop and phone, in English and Spanish (saved as screenshots)."""

from dataclasses import dataclass

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import PersonStatus, User
from accounts.roles import Role
from accounts.services import set_password_url
from school.models import ClassGroup, Guardianship, StudentRecord
from tenants.models import Tenant
from tests.e2e.browser import Browsing, url
from tests.e2e.data import off_the_browser_thread
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass
class School:
    admin: User
    group: ClassGroup


@off_the_browser_thread
def school_with_group(tenant: Tenant, *, language: str = "") -> School:
    admin = make_user(tenant, Role.ADMINISTRATOR, name="Grace Admin")
    with tenant_context(tenant):
        User.objects.filter(pk=admin.pk).update(language=language)
        return School(admin=admin, group=ClassGroup.objects.create(name="3° A"))


@off_the_browser_thread
def person(tenant: Tenant, email: str) -> User:
    with tenant_context(tenant):
        return User.objects.select_related("student_record").get(email=email)


@off_the_browser_thread
def invitation_path(tenant: Tenant, user: User) -> str:
    """The path of the set-password link the invitation e-mail carries (the e-mail itself is
    read by tests/people/test_pages.py: the server under test keeps its mail in memory)."""
    with tenant_context(tenant):
        return set_password_url(base_url="", user=User.objects.get(pk=user.pk))


@off_the_browser_thread
def guardianships(tenant: Tenant) -> list[tuple[int, int]]:
    with tenant_context(tenant):
        return list(Guardianship.objects.values_list("guardian_id", "student_id"))


def test_an_administrator_adds_a_student_and_her_guardian_who_then_signs_in(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    # given a school administrator on the people page
    s = school_with_group(school)
    admin = browsing.signed_in("admin", school, s.admin, "/people/")
    page = admin.page
    # when she adds a student with an enrolment number and a group
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name").fill("Lisa Simpson")
    page.get_by_label("E-mail").fill("lisa@alpha.test")
    page.get_by_label("Role").select_option("student")
    page.get_by_label("Enrolment number").fill("2026-042")
    page.get_by_label("Group").select_option(label="3° A")
    page.get_by_role("button", name="Add and invite").click()
    # then she sees the student's page, invited, with her number and group
    expect(page.locator("h1")).to_contain_text("Lisa Simpson")
    expect(page.locator(".messages")).to_contain_text("an invitation is on its way")
    expect(page.locator(".facts")).to_contain_text("2026-042")
    expect(page.locator(".facts")).to_contain_text("3° A")
    lisa = person(school, "lisa@alpha.test")
    assert lisa.student_record.enrolment_number == "2026-042"
    # when she adds the guardian, picking the student as her child
    page.goto(url(school, browsing.port, "/people/add/"))
    page.get_by_label("Name").fill("Marge Simpson")
    page.get_by_label("E-mail").fill("marge@alpha.test")
    page.get_by_label("Role").select_option("guardian")
    page.get_by_label("Children").select_option(label="Lisa Simpson (2026-042)")
    page.get_by_role("button", name="Add and invite").click()
    expect(page.locator("h1")).to_contain_text("Marge Simpson")
    expect(page.locator(".facts")).to_contain_text("Lisa Simpson")
    browsing.shot(admin, "guardian-added")
    marge = person(school, "marge@alpha.test")
    assert guardianships(school) == [(marge.pk, lisa.pk)]
    assert marge.status == PersonStatus.INVITED

    # when the guardian opens her invitation's link and chooses a password
    guardian = browsing.visitor("guardian")
    browsing.open(guardian, school, invitation_path(school, marge))
    guardian.page.locator("input[name=password1]").fill(PASSWORD)
    guardian.page.locator("input[name=password2]").fill(PASSWORD)
    guardian.page.get_by_role("button", name="Change Password").click()
    guardian.page.wait_for_load_state()
    # then she is active, and signs in with it (in another browser: setting the password
    # signed this one in already)
    assert person(school, "marge@alpha.test").status == PersonStatus.ACTIVE
    guardian = browsing.visitor("guardian-elsewhere")
    browsing.open(guardian, school, "/accounts/login/")
    guardian.page.locator("input[name=login]").fill("marge@alpha.test")
    guardian.page.locator("input[name=password]").fill(PASSWORD)
    guardian.page.locator("form:has(input[name=password]) [type=submit]").click()
    guardian.page.wait_for_load_state()
    browsing.open(guardian, school, "/notifications/")
    expect(guardian.page.locator(".who .user")).to_contain_text("Marge Simpson")
    browsing.shot(guardian, "signed-in")
    # and the admin's list shows both
    page.goto(url(school, browsing.port, "/people/?q=simpson"))
    expect(page.locator("table.people tbody tr")).to_have_count(2)


@off_the_browser_thread
def populated_school(tenant: Tenant, *, language: str) -> School:
    """60 students in two groups (the list has two pages), a guardian of the first."""
    s = school_with_group(tenant, language=language)
    with tenant_context(tenant):
        other = ClassGroup.objects.create(name="3° B")
        names = ["Ana", "Bruno", "Carla", "Diego", "Elena", "Fernando"]
        students = []
        for n in range(60):
            student = User.objects.create_user(
                email=f"student{n:02}@alpha.test",
                role=Role.STUDENT,
                full_name=f"{names[n % 6]} Estudiante {n:02}",
                password=PASSWORD if n % 3 else None,
            )
            StudentRecord.objects.create(
                student=student,
                enrolment_number=f"2026-{n:03}",
                group=s.group if n % 2 else other,
            )
            students.append(student)
        guardian = User.objects.create_user(
            email="tutor@alpha.test", role=Role.GUARDIAN, full_name="Teresa Tutora"
        )
        Guardianship.objects.create(guardian=guardian, student=students[0])
        User.objects.filter(pk=students[5].pk).update(is_active=False)
    return s


@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_the_people_pages_on_desktop_and_phone(
    browsing: Browsing, school: Tenant, school_b: Tenant, language: str
) -> None:
    s = populated_school(school, language=language)
    admin = browsing.signed_in("admin", school, s.admin, "/people/")
    guardian = person(school, "tutor@alpha.test")
    pages = {
        "list": "/people/",
        "add": "/people/add/",
        "detail": f"/people/{guardian.pk}/",
        "student": f"/people/{person(school, 'student00@alpha.test').pk}/",
    }
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        admin.page.set_viewport_size(size)  # type: ignore[arg-type]
        for name, path in pages.items():
            browsing.open(admin, school, path)
            wide = admin.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= size["width"], f"{name} scrolls sideways on {size_name}: {wide}"
            browsing.shot(admin, f"{name}-{language}-{size_name}")
