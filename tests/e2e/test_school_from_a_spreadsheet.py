"""Issue #12's walk, in the browser alone: a school onboarded a moment ago, empty; its first
administrator takes her invitation, sets up a term, a group and a course, imports her students
and their guardians from a spreadsheet (a bad row first, refused; then the fixed file), and a
guardian who took his invitation watches his daughter's grade arrive live while another family's
guardian hears nothing. Issue #13's end of it: the monthly tuition goes into the catalogue, is
billed to the daughter and paid at the front desk, and the guardian's open page follows."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import FilePayload, Page, expect

from accounts.models import PersonStatus, User
from accounts.roles import Role
from accounts.services import set_password_url
from school.clock import tenant_today
from school.models import Guardianship, Invoice
from school.states import InvoiceStatus
from tenants.models import Tenant
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import freshly_onboarded, off_the_browser_thread
from tests.factories import PASSWORD

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

SLUG, DOMAIN = "sheet_school", "sheet-school.test"
HEADER = "role,full_name,email,enrolment_number,group,children,language"
STUDENTS_AND_GUARDIANS = [
    "student,Sofía Ruiz,sofia@sheet.test,2026-001,3° A,,",
    "student,Diego Ruiz,diego@sheet.test,2026-002,3° A,,",
    "guardian,Carmen Ruiz,carmen@sheet.test,,,2026-001 2026-002,",
    "student,Ana López,ana@sheet.test,2026-003,3° A,,",
    "guardian,Luis López,luis@sheet.test,,,ana@sheet.test,",
]
# What a hurried administrator's first export looks like: a typo, and a child not in the school.
BAD_ROWS = ["guardian,Pedro Paz,pedro@@sheet.test,,,2026-099,"]


@pytest.fixture
def new_school(live_db: None) -> Iterator[Tenant]:
    with freshly_onboarded(slug=SLUG, kind="school", domain=DOMAIN, name="Colegio Hoja") as tenant:
        yield tenant


@off_the_browser_thread
def _person(tenant: Tenant, email: str) -> User:
    with tenant_context(tenant):
        return User.objects.get(email=email)


@off_the_browser_thread
def _first_administrator(tenant: Tenant) -> User:
    with tenant_context(tenant):
        return User.objects.get(role=Role.ADMINISTRATOR)


@off_the_browser_thread
def _invitation_path(tenant: Tenant, user: User) -> str:
    """The set-password link the invitation e-mail carries (the server under test keeps its
    mail in memory; tests/people read the e-mails themselves)."""
    with tenant_context(tenant):
        return set_password_url(base_url="", user=User.objects.get(pk=user.pk))


@off_the_browser_thread
def _families(tenant: Tenant) -> set[tuple[str, str]]:
    with tenant_context(tenant):
        return {
            (g.guardian.email, g.student.email)
            for g in Guardianship.objects.select_related("guardian", "student")
        }


@off_the_browser_thread
def _people_in(tenant: Tenant) -> int:
    with tenant_context(tenant):
        return User.objects.filter(email__endswith="@sheet.test").count()


@off_the_browser_thread
def _today(tenant: Tenant) -> Any:
    with tenant_context(tenant):
        return tenant_today()


@off_the_browser_thread
def _paid_invoices(tenant: Tenant) -> list[tuple[str, str, str]]:
    with tenant_context(tenant):
        return [
            (i.student.full_name, i.description, f"{i.amount}")
            for i in Invoice.objects.filter(status=InvoiceStatus.PAID).select_related("student")
        ]


def _csv(rows: list[str]) -> FilePayload:
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    return {"name": "alumnos.csv", "mimeType": "text/csv", "buffer": data}


def _take_invitation(browsing: Browsing, name: str, tenant: Tenant, user: User) -> Visitor:
    """Open the invitation's link and choose a password (which signs the person in)."""
    visitor = browsing.visitor(name)
    browsing.open(visitor, tenant, _invitation_path(tenant, user))
    visitor.page.locator("input[name=password1]").fill(PASSWORD)
    visitor.page.locator("input[name=password2]").fill(PASSWORD)
    visitor.page.get_by_role("button", name="Change Password").click()
    visitor.page.wait_for_load_state()
    return visitor


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def test_an_empty_school_imports_its_families_and_a_guardian_sees_a_grade_arrive(
    browsing: Browsing, new_school: Tenant, school: Tenant
) -> None:
    today = _today(new_school)

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    # given the first administrator of a school onboarded a moment ago, taking her invitation
    admin = _take_invitation(browsing, "admin", new_school, _first_administrator(new_school))
    page = admin.page
    browsing.open(admin, new_school, "/school/")
    expect(page.locator(".setup-checklist")).to_contain_text("Add a school year")

    # when she sets up a year, a term and a group
    browsing.open(admin, new_school, "/school/setup/years/")
    page.get_by_label("Name").fill("2026-2027")
    page.get_by_label("Starts").fill(day(-60))
    page.get_by_label("Ends").fill(day(250))
    page.get_by_role("button", name="Add school year").click()
    _flash(page, "School year 2026-2027 added.")
    browsing.open(admin, new_school, "/school/setup/terms/")
    page.get_by_label("School year").select_option(label="2026-2027")
    page.get_by_label("Name").fill("Primer trimestre")
    page.get_by_label("Starts").fill(day(-20))
    page.get_by_label("Ends").fill(day(60))
    page.get_by_label("Grade entry opens").fill(day(-20))
    page.get_by_label("Grade entry closes").fill(day(70))
    page.get_by_role("button", name="Add term").click()
    _flash(page, "Term Primer trimestre added.")
    browsing.open(admin, new_school, "/school/setup/groups/")
    page.get_by_label("Level").fill("3°")
    page.get_by_label("Name").fill("3° A")
    page.get_by_role("button", name="Add group").click()
    _flash(page, "Group 3° A added.")

    # and imports her spreadsheet from the people page, with a bad row in it
    browsing.open(admin, new_school, "/people/")
    page.get_by_role("link", name="Import from a spreadsheet").click()
    page.locator("input[type=file]").set_input_files(_csv(STUDENTS_AND_GUARDIANS + BAD_ROWS))
    page.get_by_role("button", name="Check the file").click()
    # then the preview names the bad row's problems (row 7 of the file, counting the header)
    # and nothing can be imported
    expect(page.locator("#import-problems")).to_contain_text("1 row has a problem")
    bad_row = page.locator('tr[data-row="7"]')
    expect(bad_row).to_contain_text("is not a valid e-mail address")
    expect(bad_row).to_contain_text("No student 2026-099")
    expect(page.locator("#import-start")).to_be_disabled()
    browsing.shot(admin, "import-refused")
    assert _people_in(new_school) == 0

    # when she uploads the fixed file and imports it
    page.locator("input[type=file]").last.set_input_files(_csv(STUDENTS_AND_GUARDIANS))
    page.get_by_role("button", name="Check the file").last.click()
    start = page.locator("#import-start")
    expect(start).to_have_text("Import 5 people")
    start.click()
    # then the bar reaches the end, and the people list holds the families
    expect(page.locator("#import-result")).to_contain_text("5 people imported.")
    browsing.shot(admin, "import-done")
    browsing.open(admin, new_school, "/people/?q=sheet.test")
    expect(page.locator("table.people tbody tr")).to_have_count(5)
    assert _families(new_school) == {
        ("carmen@sheet.test", "sofia@sheet.test"),
        ("carmen@sheet.test", "diego@sheet.test"),
        ("luis@sheet.test", "ana@sheet.test"),
    }

    # when she adds a subject and the group's course, and enrols the group
    browsing.open(admin, new_school, "/school/setup/subjects/")
    page.get_by_label("Code").fill("MAT")
    page.get_by_label("Name").fill("Matemáticas")
    page.get_by_role("button", name="Add subject").click()
    browsing.open(admin, new_school, "/school/setup/courses/")
    page.get_by_label("Term").select_option(label="Primer trimestre")
    page.get_by_label("Group").select_option(label="3° A")
    page.get_by_label("Subject").select_option(label="Matemáticas")
    page.get_by_role("button", name="Add course").click()
    _flash(page, "Course Matemáticas 3° A added.")
    browsing.open(admin, new_school, "/school/setup/enrolment/")
    page.get_by_role("button", name="Enrol 3° A in its courses").click()
    _flash(page, "3° A: 3 enrolments made in Primer trimestre.")

    # and the guardians take their invitations: Carmen opens her daughter's grades
    carmen = _take_invitation(
        browsing, "guardian", new_school, _person(new_school, "carmen@sheet.test")
    )
    assert _person(new_school, "carmen@sheet.test").status == PersonStatus.ACTIVE
    sofia = _person(new_school, "sofia@sheet.test")
    browsing.open(carmen, new_school, f"/school/my/grades/?student={sofia.pk}")
    expect(carmen.page.locator("h1")).to_have_text("Grades of Sofía Ruiz")
    carmen.mark_page()
    luis = _take_invitation(
        browsing, "other-guardian", new_school, _person(new_school, "luis@sheet.test")
    )
    browsing.open(luis, new_school, "/school/")
    browsing.shot(carmen, "guardian-before")

    # when the administrator grades Sofía and publishes it
    page.get_by_role("link", name="Gradebooks").first.click()
    page.get_by_role("link", name="Matemáticas 3° A").click()
    page.get_by_label("Title").fill("Examen 1")
    page.get_by_label("Out of").fill("10")
    page.get_by_role("button", name="Add column").click()
    page.get_by_label("Sofía Ruiz, Examen 1").fill("9.5")
    page.get_by_role("button", name="Save drafts").click()
    _flash(page, "Saved 1 change as a draft.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish all drafts of this course").click()
    _flash(page, "Published 1 grade")

    # then Carmen's open page shows it at once, naming her daughter, without a reload
    toast = carmen.page.locator("#aviso-toasts .toast")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("Sofía Ruiz: New grade in Matemáticas 3° A")
    expect(carmen.page.locator("main")).to_contain_text("Examen 1")
    expect(carmen.page.locator("main")).to_contain_text("9.5")
    carmen.expect_not_reloaded()
    browsing.shot(carmen, "guardian-after")
    # and the other family's guardian heard nothing, nor did the other school
    assert luis.seqs() == []
    expect(luis.page.locator("#aviso-toasts .toast")).to_have_count(0)
    assert _people_in(school) == 0

    # when the administrator puts the monthly tuition in the catalogue
    browsing.open(admin, new_school, "/school/fees/")
    page.locator("main input[name=name]").fill("Colegiatura")
    page.locator("main input[name=amount]").fill("1,500.50")
    page.locator("main form:has(input[name=name]) button[type=submit]").click()
    expect(page.locator("table.fees")).to_contain_text("$1,500.50")
    # and bills Sofía for it while Carmen watches her daughter's invoices
    browsing.open(carmen, new_school, f"/school/my/invoices/?student={sofia.pk}")
    expect(carmen.page.locator("h1")).to_have_text("Invoices of Sofía Ruiz")
    carmen.mark_page()
    browsing.open(admin, new_school, "/school/invoices/new/")
    page.get_by_label("Student").select_option(label="Sofía Ruiz")
    page.get_by_label("Fee").select_option(label="Colegiatura")
    page.get_by_label("Due date").fill(day(15))
    page.get_by_role("button", name="Issue", exact=True).click()
    _flash(page, "issued to Sofía Ruiz")
    # then the invoice appears on Carmen's open page, owed, without a reload
    row = carmen.page.locator("main tr[data-invoice-id]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("$1,500.50")
    expect(row.locator(".status")).to_have_text("Issued")
    # when the administrator records Carmen's cash payment at the front desk
    page.get_by_label("Amount").fill("1500.50")
    page.get_by_label("Method").select_option(label="Cash")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator("h1 .status")).to_have_text("Paid")
    # then Carmen sees it paid, still without a reload, and the other family saw nothing of it
    expect(row.locator(".status")).to_have_text("Paid")
    carmen.expect_not_reloaded()
    browsing.shot(carmen, "guardian-paid")
    assert luis.seqs() == []
    assert _paid_invoices(new_school) == [("Sofía Ruiz", "Colegiatura", "1500.50")]
