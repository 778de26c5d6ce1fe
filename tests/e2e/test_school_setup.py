"""A school onboarded a moment ago, empty, set up by its administrator in the browser alone:
school year, term, group, subject, course with its teacher, the group enrolled in its courses,
an assessment, a grade entered and published; and the student sees it. Then the setup pages
on a phone, in Spanish."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.roles import Role
from people.services import person_add
from school.clock import tenant_today
from school.models import ClassGroup, Grade, GradeStatus
from school.services import structure
from school.services.groups import group_create
from school.services.people import student_record_set
from tenants.models import Tenant
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import freshly_onboarded, off_the_browser_thread
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

SLUG, DOMAIN = "setup_school", "setup-school.test"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def new_school(live_db: None) -> Iterator[Tenant]:
    with freshly_onboarded(slug=SLUG, kind="school", domain=DOMAIN, name="Escuela Nueva") as tenant:
        yield tenant


@dataclass
class Cast:
    admin: User
    teacher: User


@off_the_browser_thread
def _first_administrator_and_a_teacher(tenant: Tenant) -> Cast:
    """The onboarded administrator chooses a password (as the invitation would have them do);
    a teacher is on the staff. No pages for adding people exist on this branch yet, so the
    people are added with the people app's service those pages call."""
    with tenant_context(tenant):
        admin = User.objects.get(role=Role.ADMINISTRATOR)
        admin.set_password(PASSWORD)
        admin.save(update_fields=["password"])
        teacher = person_add(
            email=f"tina@{DOMAIN}",
            role=Role.TEACHER,
            full_name="Tina Teacher",
            invited_by=admin,
            invite=False,
        )
        return Cast(admin=admin, teacher=teacher)


@off_the_browser_thread
def _student_added_to_group(tenant: Tenant, admin: User, group_name: str) -> User:
    """What the people page does when an administrator adds a student to a group."""
    with tenant_context(tenant):
        student = person_add(
            email=f"sofia@{DOMAIN}",
            role=Role.STUDENT,
            full_name="Sofía Ruiz",
            invited_by=admin,
            enrolment_number="2026-001",
            group=ClassGroup.objects.get(name=group_name),
            invite=False,
        )
        student.set_password(PASSWORD)
        student.save(update_fields=["password"])
        return student


@off_the_browser_thread
def _today(tenant: Tenant) -> Any:
    with tenant_context(tenant):
        return tenant_today()


@off_the_browser_thread
def _published_grades(tenant: Tenant) -> list[str]:
    with tenant_context(tenant):
        return [
            f"{g.student.full_name} {g.score}"
            for g in Grade.objects.filter(status=GradeStatus.PUBLISHED).select_related("student")
        ]


def _submit(page: Page, label: str) -> None:
    page.get_by_role("button", name=label).click()


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def test_a_new_school_is_set_up_in_the_browser_until_a_student_sees_a_grade(
    browsing: Browsing, new_school: Tenant, school_b: Tenant
) -> None:
    cast = _first_administrator_and_a_teacher(new_school)
    today = _today(new_school)

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    admin = browsing.sign_in_with_form("admin", new_school, cast.admin)
    page = admin.page
    # given an empty school: its overview is the checklist
    browsing.open(admin, new_school, "/school/")
    checklist = page.locator(".setup-checklist")
    expect(checklist).to_contain_text("Next step: Add a school year")
    browsing.shot(admin, "overview-empty")

    # a school year
    checklist.get_by_role("link", name="Add a school year").click()
    expect(page.locator(".empty")).to_contain_text("No school years yet")
    page.get_by_label("Name").fill("2026-2027")
    page.get_by_label("Starts").fill(day(-60))
    page.get_by_label("Ends").fill(day(250))
    _submit(page, "Add school year")
    _flash(page, "School year 2026-2027 added.")

    # a term; first with its dates backwards, which is refused with a message
    page.get_by_role("link", name="Next: the year's terms").click()
    page.get_by_label("School year").select_option(label="2026-2027")
    page.get_by_label("Name").fill("Primer trimestre")
    page.get_by_label("Starts").fill(day(20))
    page.get_by_label("Ends").fill(day(-20))
    page.get_by_label("Grade entry opens").fill(day(-20))
    page.get_by_label("Grade entry closes").fill(day(70))
    _submit(page, "Add term")
    expect(page.locator(".errorlist")).to_contain_text("A term cannot end before it starts.")
    browsing.shot(admin, "term-refused")
    page.get_by_label("Starts").fill(day(-20))
    page.get_by_label("Ends").fill(day(60))
    _submit(page, "Add term")
    _flash(page, "Term Primer trimestre added.")

    # a group, then the student the people page would add to it
    page.get_by_role("link", name="Next: groups").click()
    page.get_by_label("Level").fill("3°")
    page.get_by_label("Name").fill("3° A")
    _submit(page, "Add group")
    _flash(page, "Group 3° A added.")
    student = _student_added_to_group(new_school, cast.admin, "3° A")

    # a subject
    page.get_by_role("link", name="Next: subjects").click()
    page.get_by_label("Code").fill("MAT")
    page.get_by_label("Name").fill("Matemáticas")
    _submit(page, "Add subject")
    _flash(page, "Subject Matemáticas added.")

    # a course of that group in that term, with its teacher
    page.get_by_role("link", name="Next: courses").click()
    page.get_by_label("Term").select_option(label="Primer trimestre")
    page.get_by_label("Group").select_option(label="3° A")
    page.get_by_label("Subject").select_option(label="Matemáticas")
    page.get_by_label("Tina Teacher").check()
    _submit(page, "Add course")
    _flash(page, "Course Matemáticas 3° A added.")
    expect(page.locator("table.data")).to_contain_text("Tina Teacher")
    browsing.shot(admin, "courses")

    # the group enrolled in its courses in one step
    page.get_by_role("link", name="Next: enrol students").click()
    expect(page.locator("table.data").first).to_contain_text("Sofía Ruiz")
    _submit(page, "Enrol 3° A in its courses")
    _flash(page, "3° A: 1 enrolment made in Primer trimestre.")
    browsing.shot(admin, "enrolment")

    # an assessment, a grade entered and published from the gradebook
    page.get_by_role("link", name="Gradebooks").first.click()
    page.get_by_role("link", name="Matemáticas 3° A").click()
    page.get_by_label("Title").fill("Examen 1")
    page.get_by_label("Out of").fill("10")
    _submit(page, "Add column")
    page.get_by_label("Sofía Ruiz, Examen 1").fill("9.5")
    _submit(page, "Save drafts")
    _flash(page, "Saved 1 change as a draft.")
    page.once("dialog", lambda dialog: dialog.accept())
    _submit(page, "Publish all drafts of this course")
    _flash(page, "Published 1 grade; the student was notified.")
    assert _published_grades(new_school) == ["Sofía Ruiz 9.50"]

    # then every step of the checklist is done
    browsing.open(admin, new_school, "/school/setup/")
    expect(page.locator(".checklist li.done")).to_have_count(7)
    expect(page.locator("main")).to_contain_text("Your school is set up")
    browsing.open(admin, new_school, "/school/")
    expect(page.locator(".setup-checklist")).to_have_count(0)
    browsing.shot(admin, "set-up")
    phone = browsing.visitor("admin-phone", viewport=PHONE)  # type: ignore[arg-type]
    browsing.add_session(phone, new_school, cast.admin)
    for path in ("/school/setup/", "/school/setup/courses/", "/school/setup/enrolment/"):
        browsing.open(phone, new_school, path)
        _fits_the_screen(phone)
        browsing.shot(phone, path.strip("/").replace("/", "-"))

    # and the student sees the grade
    sofia = browsing.sign_in_with_form("student", new_school, student)
    browsing.open(sofia, new_school, "/school/my/grades/")
    expect(sofia.page.locator("main")).to_contain_text("Examen 1")
    expect(sofia.page.locator("main")).to_contain_text("9.5")
    browsing.shot(sofia, "grade")


@dataclass
class Seeded:
    admin: User


@off_the_browser_thread
def _seeded_spanish_school(tenant: Tenant) -> Seeded:
    admin = make_user(tenant, Role.ADMINISTRATOR, name="Ana Directora")
    alice = make_user(tenant, Role.STUDENT, name="Alicia Gómez")
    bruno = make_user(tenant, Role.STUDENT, name="Bruno Díaz")
    teacher = make_user(tenant, Role.TEACHER, name="Tomás Maestro")
    with tenant_context(tenant):
        admin.language = "es-mx"
        admin.save(update_fields=["language"])
        today = tenant_today()
        year = structure.school_year_create(
            name="2026-2027",
            starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=250),
        )
        term = structure.term_create(
            year=year,
            name="Primer trimestre",
            starts_on=today - timedelta(days=20),
            ends_on=today + timedelta(days=60),
            entry_opens_on=today - timedelta(days=20),
            entry_closes_on=today + timedelta(days=70),
        )
        a, b = group_create(name="3° A", level="3°"), group_create(name="3° B", level="3°")
        for code, name in (("MAT", "Matemáticas"), ("ESP", "Español")):
            subject = structure.subject_create(code=code, name=name)
            structure.course_create(subject=subject, group=a, term=term, teachers=[teacher])
            structure.course_create(subject=subject, group=b, term=term)
        student_record_set(student=alice, enrolment_number="2026-001", group=a)
        student_record_set(student=bruno, enrolment_number="2026-002", group=b)
        structure.group_enrol_in_courses(group=a, term=term)
    return Seeded(admin=admin)


def _fits_the_screen(visitor: Visitor) -> None:
    overflow = visitor.page.evaluate(
        "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{visitor.page.url} is {overflow}px wider than the phone"


def test_the_setup_pages_on_a_phone_in_spanish(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    seeded = _seeded_spanish_school(school)
    phone = browsing.visitor("admin-phone-es", viewport=PHONE)  # type: ignore[arg-type]
    browsing.add_session(phone, school, seeded.admin)
    pages = {
        "/school/setup/": "Configura tu escuela",
        "/school/setup/years/": "Ciclos escolares",
        "/school/setup/terms/": "Periodos",
        "/school/setup/groups/": "Grupos",
        "/school/setup/subjects/": "Materias",
        "/school/setup/courses/": "Cursos",
        "/school/setup/enrolment/": "Inscripciones",
    }
    for path, title in pages.items():
        browsing.open(phone, school, path)
        expect(phone.page.locator("h1")).to_have_text(title)
        _fits_the_screen(phone)
        browsing.shot(phone, path.strip("/").replace("/", "-"))
    desktop = browsing.visitor("admin-desktop-es")
    browsing.add_session(desktop, school, seeded.admin)
    for path in ("/school/", "/school/setup/courses/", "/school/setup/enrolment/"):
        browsing.open(desktop, school, path)
        browsing.shot(desktop, path.strip("/").replace("/", "-"))
    # a rule refused in Spanish
    browsing.open(phone, school, "/school/setup/terms/")
    page = phone.page
    page.get_by_label("Ciclo escolar").select_option(label="2026-2027")
    page.get_by_label("Nombre").fill("Segundo trimestre")
    page.get_by_label("Empieza").fill(_iso_in(school, 30))
    page.get_by_label("Termina").fill(_iso_in(school, 90))
    page.get_by_label("Se abre la captura de calificaciones").fill(_iso_in(school, 30))
    page.get_by_label("Se cierra la captura de calificaciones").fill(_iso_in(school, 100))
    page.get_by_role("button", name="Agregar periodo").click()
    expect(page.locator(".errorlist")).to_contain_text("se empalman con Primer trimestre")
    _fits_the_screen(phone)
    browsing.shot(phone, "term-overlap")


def _iso_in(tenant: Tenant, days: int) -> str:
    return (_today(tenant) + timedelta(days=days)).isoformat()
