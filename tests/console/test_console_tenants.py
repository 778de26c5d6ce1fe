"""A tenant's page in the operators' console: its people per role and status, a new invitation
for its first administrator, renaming, and its life (suspend, archive, restore, delete), each
asking for confirmation where it closes the tenant's pages."""

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context, schema_exists, tenant_context

from accounts.models import User
from accounts.roles import Role
from tenants.models import Domain, Tenant, TenantStatus
from tenants.services import tenant_set_status
from testing.tenants import onboard
from tests.conftest import TEST_TENANTS
from tests.console.factories import console_client, make_operator
from tests.factories import client_for, make_user
from tests.realtime.helpers import communicator, start

db = pytest.mark.django_db


def _people_row(html: str, role: str) -> dict[str, int]:
    row = html.split(f'data-role="{role}"')[1].split("</tr>")[0]
    counts = {}
    for status in ("invited", "active", "deactivated", "total"):
        cell = row.split(f'data-status="{status}">')[1].split("<")[0]
        counts[status] = int(cell)
    return counts


def _invited(tenant: Tenant, role: Role) -> User:
    user = make_user(tenant, role)
    with tenant_context(tenant):
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _deactivated(tenant: Tenant, role: Role) -> User:
    user = make_user(tenant, role)
    with tenant_context(tenant):
        User.objects.filter(pk=user.pk).update(is_active=False)
    return user


# --- people counts ----------------------------------------------------------------------------


@db
def test_a_schools_page_counts_its_people_by_role_and_status(
    school: Tenant, school_b: Tenant
) -> None:
    # given a school with two active students, an invited and a deactivated one, a teacher
    make_user(school, Role.STUDENT)
    make_user(school, Role.STUDENT)
    _invited(school, Role.STUDENT)
    _deactivated(school, Role.STUDENT)
    make_user(school, Role.TEACHER)
    # and students of the other school, who must not be counted
    make_user(school_b, Role.STUDENT)
    # when the operator opens its page
    html = console_client(make_operator()).get("/tenants/school_a/").content.decode()
    # then each role of a school shows its people per status
    students = _people_row(html, "student")
    assert students == {"invited": 1, "active": 2, "deactivated": 1, "total": 4}
    assert _people_row(html, "teacher") == {"invited": 0, "active": 1, "deactivated": 0, "total": 1}
    # the first administrator (onboarding's) has not accepted yet
    assert _people_row(html, "administrator")["invited"] == 1
    assert _people_row(html, "guardian")["total"] == 0
    # and no clinic role is listed
    assert 'data-role="patient"' not in html and 'data-role="dentist"' not in html


@db
def test_a_clinics_page_counts_its_own_roles(clinic: Tenant, clinic_b: Tenant) -> None:
    # given a clinic with a dentist, a receptionist and an invited patient
    make_user(clinic, Role.DENTIST)
    make_user(clinic, Role.RECEPTIONIST)
    _invited(clinic, Role.PATIENT)
    make_user(clinic_b, Role.PATIENT)
    html = console_client(make_operator()).get("/tenants/clinic_a/").content.decode()
    # then the clinic's roles are counted, and no school role appears
    assert _people_row(html, "dentist")["active"] == 1
    assert _people_row(html, "receptionist")["active"] == 1
    assert _people_row(html, "patient") == {"invited": 1, "active": 0, "deactivated": 0, "total": 1}
    assert 'data-role="student"' not in html and 'data-role="teacher"' not in html


# --- the first administrator's invitation ------------------------------------------------------


@db
def test_resending_the_first_administrators_invitation(
    school: Tenant, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # given a school whose first administrator has not accepted the invitation yet
    browser = console_client(make_operator())
    page = browser.get("/tenants/school_a/").content.decode()
    assert "Resend the invitation" in page
    # when the operator resends it
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/tenants/school_a/invite/", follow=True)
    # then a new set-password link goes to that administrator, and the console says so
    assert response.status_code == 200
    assert "A new invitation is on its way to admin@alpha-school.test." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["admin@alpha-school.test"]]
    assert "Alpha School" in mail.outbox[0].subject
    assert "http://alpha-school.test" in mail.outbox[0].body


@db
def test_no_resend_once_the_first_administrator_has_accepted(school: Tenant) -> None:
    # given a school whose first administrator has set a password, and a later administrator
    with tenant_context(school):
        first = User.objects.get(email="admin@alpha-school.test")
        first.set_password("chosen-by-them-2026")
        first.save()
    _invited(school, Role.ADMINISTRATOR)
    browser = console_client(make_operator())
    # then the page offers no resend, and a forged post is refused with the reason
    assert "Resend the invitation" not in browser.get("/tenants/school_a/").content.decode()
    response = browser.post("/tenants/school_a/invite/")
    assert response.status_code == 409
    assert "already accepted" in response.content.decode()
    assert mail.outbox == []


# --- renaming ----------------------------------------------------------------------------------


@db
def test_renaming_shows_the_new_name_on_its_pages_and_in_the_console(
    school: Tenant, school_b: Tenant
) -> None:
    browser = console_client(make_operator())
    assert browser.get("/tenants/school_a/name/").status_code == 200
    # when the operator renames the school
    response = browser.post("/tenants/school_a/name/", {"name": "  Alpha Academy "})
    assert response.status_code == 302
    # then the console, the school's own pages and its Site carry the new name
    assert "Alpha Academy" in browser.get("/").content.decode()
    student = make_user(school, Role.STUDENT)
    assert "Alpha Academy" in client_for(school, student).get("/school/").content.decode()
    with schema_context("school_a"):
        from django.contrib.sites.models import Site

        assert Site.objects.get().name == "Alpha Academy"
    # and the other school keeps its name
    school_b.refresh_from_db()
    assert school_b.name == "Beta School"


@db
def test_an_empty_name_is_refused(school: Tenant) -> None:
    response = console_client(make_operator()).post("/tenants/school_a/name/", {"name": "   "})
    assert response.status_code == 400
    school.refresh_from_db()
    assert school.name == "Alpha School"


# --- confirmation ------------------------------------------------------------------------------


@db
@pytest.mark.parametrize("action", ["suspend", "archive"])
def test_a_move_that_closes_the_site_asks_first_and_changes_nothing(
    school: Tenant, action: str
) -> None:
    browser = console_client(make_operator())
    # when the operator presses the button (a POST without the confirmation)
    response = browser.post("/tenants/school_a/status/", {"action": action})
    # then a confirmation page answers, with the box to tick, and nothing changed
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="confirm"' in html and f'value="{action}"' in html
    school.refresh_from_db()
    assert school.status == TenantStatus.ACTIVE
    # and an unticked box is no confirmation either
    browser.post("/tenants/school_a/status/", {"action": action, "confirm": ""})
    school.refresh_from_db()
    assert school.status == TenantStatus.ACTIVE


# --- the states ----------------------------------------------------------------------------------

# (from, action, allowed)
MOVES_TABLE = [
    ("active", "suspend", True),
    ("active", "archive", True),
    ("active", "reactivate", False),
    ("active", "restore", False),
    ("suspended", "reactivate", True),
    ("suspended", "archive", True),
    ("suspended", "suspend", False),
    ("archived", "restore", True),
    ("archived", "suspend", False),
    ("archived", "archive", False),
]


@db
@pytest.mark.parametrize(("start", "action", "allowed"), MOVES_TABLE)
def test_the_console_allows_exactly_the_states_moves(
    school: Tenant, start: str, action: str, allowed: bool
) -> None:
    Tenant.objects.filter(pk=school.pk).update(status=start)
    response = console_client(make_operator()).post(
        "/tenants/school_a/status/", {"action": action, "confirm": "on"}
    )
    school.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert school.status != start
    else:
        assert response.status_code == 409
        assert "cannot become" in response.content.decode()
        assert school.status == start


@db
def test_an_archived_tenants_pages_answer_410_in_its_language(
    school: Tenant, school_b: Tenant
) -> None:
    student = make_user(school, Role.STUDENT)
    browser = console_client(make_operator())
    response = browser.post("/tenants/school_a/status/", {"action": "archive", "confirm": "on"})
    assert response.status_code == 302
    # then every page of the school answers "archived"
    page = client_for(school, student).get("/school/")
    assert page.status_code == 410
    assert "Alpha School is archived" in page.content.decode()
    spanish = client_for(school).get("/", HTTP_ACCEPT_LANGUAGE="es-MX")
    assert spanish.status_code == 410 and "archivad" in spanish.content.decode()
    # its data is kept
    with tenant_context(school):
        assert User.objects.filter(pk=student.pk).exists()
    # the other school is open
    assert (
        client_for(school_b, make_user(school_b, Role.STUDENT)).get("/school/").status_code == 200
    )
    # and restoring opens it again
    browser.post("/tenants/school_a/status/", {"action": "restore"})
    assert client_for(school, student).get("/school/").status_code == 200


@pytest.mark.usefixtures("live_db")
async def test_archiving_closes_its_sockets_with_4410_and_refuses_new_ones(
    school: Tenant, school_b: Tenant
) -> None:
    new_user = database_sync_to_async(make_user)
    lisa = await new_user(school, Role.STUDENT)
    other = await new_user(school_b, Role.STUDENT)
    mine, theirs = await communicator(school, lisa), await communicator(school_b, other)
    await start(mine)
    await start(theirs)
    move = database_sync_to_async(tenant_set_status)
    await move(tenant=school, status=TenantStatus.ARCHIVED)
    try:
        assert await mine.receive_output(timeout=3) == {"type": "websocket.close", "code": 4410}
        assert await theirs.receive_nothing(timeout=0.5)
        again = await communicator(school, lisa)
        connected, _ = await again.connect(timeout=3)
        assert not connected
    finally:
        await move(tenant=school, status=TenantStatus.ACTIVE)
    await theirs.disconnect()


# --- deleting ------------------------------------------------------------------------------------


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def _census() -> dict[str, int]:
    """Rows per test tenant's users table, and the registry's rows."""
    counts = {}
    for slug, *_ in TEST_TENANTS:
        with schema_context(slug):
            counts[slug] = User.objects.count()
    counts["tenants"] = Tenant.objects.count()
    counts["domains"] = Domain.objects.count()
    return counts


@db
def test_deleting_needs_an_archived_tenant_and_its_exact_name(
    school: Tenant, school_b: Tenant, clinic: Tenant, clinic_b: Tenant
) -> None:
    # given a school that will be deleted, with people, beside the four test tenants
    doomed = onboard(slug="gone_school", kind="school", domain="gone.test", name="Gone School")
    make_user(doomed, Role.STUDENT)
    for slug, *_ in TEST_TENANTS:
        make_user(Tenant.objects.get(schema_name=slug), Role.ADMINISTRATOR)
    before = _census()
    browser = console_client(make_operator())
    # an active tenant cannot be deleted, even with its name typed
    response = browser.post("/tenants/gone_school/delete/", {"name": "Gone School"})
    assert response.status_code == 409 and "archive" in response.content.decode()
    assert schema_exists("gone_school")
    browser.post("/tenants/gone_school/status/", {"action": "archive", "confirm": "on"})
    # a wrong, differently cased or empty name deletes nothing
    for typed in ("gone school", "Gone School ", "", "gone_school"):
        response = browser.post("/tenants/gone_school/delete/", {"name": typed})
        assert response.status_code == 400, typed
        assert schema_exists("gone_school")
    # when the exact name is typed
    response = browser.post("/tenants/gone_school/delete/", {"name": "Gone School"}, follow=True)
    # then the schema, the tenant and its domain are gone, and the console says so
    assert response.status_code == 200
    assert "Gone School is deleted" in response.content.decode()
    assert "gone_school" not in _schemas()
    assert not Tenant.objects.filter(schema_name="gone_school").exists()
    assert not Domain.objects.filter(domain="gone.test").exists()
    assert browser.get("/tenants/gone_school/").status_code == 404
    # and nothing else changed: every other schema and its rows are there
    after = _census()
    assert after == {**before, "tenants": before["tenants"] - 1, "domains": before["domains"] - 1}
    assert {slug for slug, *_ in TEST_TENANTS} <= _schemas()


@db
def test_the_delete_page_explains_before_anything_is_archived(school: Tenant) -> None:
    page = console_client(make_operator()).get("/tenants/school_a/delete/")
    assert page.status_code == 200
    assert "Only an archived tenant can be deleted" in page.content.decode()
    assert 'name="name"' not in page.content.decode()


@db
def test_the_public_site_and_template_are_not_deletable(school: Tenant) -> None:
    browser = console_client(make_operator())
    for slug in ("public", "aviso_template"):
        assert browser.post(f"/tenants/{slug}/delete/", {"name": "Aviso"}).status_code == 404
    assert "public" in _schemas()


@db
def test_an_archived_page_is_in_the_tenants_default_language(school: Tenant) -> None:
    # given a school whose default language is Spanish, archived
    Tenant.objects.filter(pk=school.pk).update(
        default_language="es-mx", status=TenantStatus.ARCHIVED
    )
    # when a visitor whose browser names no language opens it
    page = client_for(school).get("/")
    # then the archived page is in Spanish
    assert page.status_code == 410 and 'lang="es-MX"' in page.content.decode()


@db
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/tenants/school_a/name/", {}),
        ("post", "/tenants/school_a/name/", {"name": "Taken Over"}),
        ("post", "/tenants/school_a/invite/", {}),
        ("get", "/tenants/school_a/delete/", {}),
        ("post", "/tenants/school_a/delete/", {"name": "Alpha School"}),
    ],
)
def test_the_new_pages_are_for_operators_only(
    school: Tenant, method: str, path: str, data: dict[str, str]
) -> None:
    # given a public-site user who is not an operator
    browser = console_client(make_operator(role=Role.ADMINISTRATOR))
    # then the pages do not exist for them, and nothing changes
    assert getattr(browser, method)(path, data).status_code == 404
    school.refresh_from_db()
    assert school.name == "Alpha School" and schema_exists("school_a")
    assert mail.outbox == []
