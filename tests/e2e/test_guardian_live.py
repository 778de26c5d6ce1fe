"""A guardian's open page updates live when one of their children's grades is published,
naming the child; another family's guardian hears nothing."""

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.roles import Role
from school.models import Guardianship
from tenants.models import Tenant
from tests.e2e.browser import Browsing
from tests.e2e.data import classroom, new_user, off_the_browser_thread

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]


@off_the_browser_thread
def _guard(tenant: Tenant, guardian_id: int, student_id: int) -> None:
    with tenant_context(tenant):
        Guardianship.objects.create(guardian_id=guardian_id, student_id=student_id)


def test_published_grade_appears_on_the_guardians_open_page(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    # given Marge looking at her daughter Alice's grades, and another family's guardian
    room = classroom(school)
    draft = room.drafts[0]
    marge = new_user(school, Role.GUARDIAN, name="Marge Martin")
    _guard(school, marge.pk, room.student.pk)
    other_child = new_user(school, Role.STUDENT, name="Nelson Muntz")
    other_parent = new_user(school, Role.GUARDIAN, name="Mrs Muntz")
    _guard(school, other_parent.pk, other_child.pk)
    page = f"/school/my/grades/?student={room.student.pk}"
    mother = browsing.signed_in("guardian", school, marge, page)
    neighbour = browsing.signed_in("other-guardian", school, other_parent, "/school/")
    expect(mother.page.locator("h1")).to_have_text("Grades of Alice Martin")
    grades = mother.page.locator(f'section.course[data-course-id="{room.course.pk}"] tbody')
    expect(grades.locator("tr[data-grade-id]")).to_have_count(1)
    mother.mark_page()
    browsing.shot(mother, "before")

    # when the administrator publishes Alice's draft from the gradebook
    admin = browsing.sign_in_with_form("admin", school, room.admin)
    browsing.open(admin, school, f"/school/courses/{room.course.pk}/gradebook/")
    admin.page.locator(f'button[form="publish-{draft.pk}"]').click()
    expect(admin.page.locator(".messages")).to_contain_text("Grade published")

    # then Marge's page shows a toast naming Alice and the new row, without a reload
    toast = mother.page.locator("#aviso-toasts .toast")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("Alice Martin: New grade in Mathematics 9A")
    expect(grades.locator(f'tr[data-grade-id="{draft.pk}"]')).to_contain_text("Algebra test")
    expect(grades.locator("tr[data-grade-id]")).to_have_count(2)
    expect(mother.page.locator("#aviso-unread")).to_have_text("1")
    mother.expect_not_reloaded()
    browsing.shot(mother, "after")
    # and the other family's guardian heard nothing
    assert neighbour.seqs() == []
    expect(neighbour.page.locator("#aviso-toasts .toast")).to_have_count(0)
