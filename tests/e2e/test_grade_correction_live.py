"""A correction of a published grade in the browser (issue #13): the administrator types over
Alice's published 15/20 and saves — the gradebook marks the cell as an unpublished correction,
Alice's open page still shows 15 and hears nothing; when the correction is published, Alice's
page shows the new score and a "Grade corrected" toast, all in the school's 0-10 scale. Then
the gradebook, the grade scale page and the student's pages on a phone, in Spanish."""

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import ViewportSize, expect

from school.models import GradeScale
from school.payloads import cell_key
from school.services.grades import grading_settings_save
from tenants.models import Tenant
from tests.e2e.browser import Browsing
from tests.e2e.data import Classroom, classroom, off_the_browser_thread

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

PHONE: ViewportSize = {"width": 390, "height": 844}
# Where the lead looks at this part's screenshots (outside the checkout's own artifacts).


@off_the_browser_thread
def ten_point_scale(room: Classroom) -> None:
    with tenant_context(room.tenant):
        grading_settings_save(scale=GradeScale.TEN, decimals=1, by=room.admin)


@off_the_browser_thread
def speaks(room: Classroom, language: str) -> None:
    with tenant_context(room.tenant):
        for person in (room.admin, room.student):
            person.language = language
            person.save(update_fields=["language"])


def test_a_correction_is_a_draft_until_published_then_reaches_the_open_page(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    # given a school grading 0-10, Alice's published Quiz 1 15/20 (7.5) on her open page
    room = classroom(school, drafts=0)
    ten_point_scale(room)
    other = classroom(school_b, student_name="Bruno Beta", drafts=0)
    alice = browsing.signed_in("student", school, room.student, "/school/my/grades/")
    bruno = browsing.signed_in("other-student", school_b, other.student, "/school/my/grades/")
    row = alice.page.locator(f'tr[data-grade-id="{room.published.pk}"]')
    expect(row).to_contain_text("15.00 / 20.00")
    expect(alice.page.locator(".course-average")).to_have_text("7.5")
    alice.mark_page()
    browsing.shot(alice, "before")

    # when the administrator types 18 over it and saves
    admin = browsing.sign_in_with_form("admin", school, room.admin)
    browsing.open(admin, school, f"/school/courses/{room.course.pk}/gradebook/")
    cell = admin.page.locator(
        f'input[name="{cell_key(room.published.assessment_id, room.student.pk)}"]'
    )
    cell.fill("18")
    expect(admin.page.locator("#save-rule")).to_contain_text("students keep seeing the published")
    admin.page.get_by_role("button", name="Save drafts").click()
    expect(admin.page.locator(".messages")).to_contain_text("Saved 1 change as a draft")
    # then the cell is marked as an unpublished correction, saying what students see
    marked = admin.page.locator("td.cell.correction")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("students see 15")
    browsing.shot(admin, "gradebook-with-correction")
    # (the same, on a phone in Spanish)
    speaks(room, "es-mx")
    phone = browsing.visitor("admin-es-phone", viewport=PHONE, locale="es-MX")
    browsing.add_session(phone, school, room.admin)
    browsing.open(phone, school, f"/school/courses/{room.course.pk}/gradebook/")
    expect(phone.page.locator("td.cell.correction")).to_contain_text("los alumnos ven 15")
    browsing.shot(phone, "gradebook-with-correction")
    speaks(room, "en")
    # and Alice's page still shows 15, with no toast
    alice.page.wait_for_timeout(1500)
    expect(row).to_contain_text("15.00 / 20.00")
    expect(alice.page.locator("#aviso-toasts .toast")).to_have_count(0)

    # when the administrator publishes the correction
    admin.page.locator(f'button[form="publish-{room.published.pk}"]').click()
    expect(admin.page.locator(".messages")).to_contain_text("Grade published")
    expect(admin.page.locator("td.cell.correction")).to_have_count(0)
    # then Alice's page shows 18 (9 of 10) and a "Grade corrected" toast in the scale
    toast = alice.page.locator("#aviso-toasts .toast")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("Grade corrected in Mathematics 9A")
    expect(toast).to_contain_text("Quiz 1 18/20 (9)")
    expect(row).to_contain_text("18.00 / 20.00")
    expect(alice.page.locator(".course-average")).to_have_text("9")
    alice.expect_not_reloaded()
    browsing.shot(alice, "after")
    # and the other school's student heard nothing
    expect(bruno.page.locator("#aviso-toasts .toast")).to_have_count(0)

    # the pages on a phone and in Spanish: no sideways scrolling of the page itself
    for locale, lang in (("en-US", "en"), ("es-MX", "es")):
        speaks(room, "es-mx" if lang == "es" else "en")
        sizes: tuple[tuple[str, ViewportSize | None], ...] = (("desktop", None), ("phone", PHONE))
        for size, viewport in sizes:
            who = browsing.visitor(f"admin-{lang}-{size}", viewport=viewport, locale=locale)
            browsing.add_session(who, school, room.admin)
            browsing.open(who, school, "/school/setup/grading/")
            browsing.shot(who, "grade-scale")
            browsing.open(who, school, f"/school/courses/{room.course.pk}/gradebook/")
            browsing.shot(who, "gradebook")
            student = browsing.visitor(f"student-{lang}-{size}", viewport=viewport, locale=locale)
            browsing.add_session(student, school, room.student)
            browsing.open(student, school, "/school/my/grades/")
            browsing.shot(student, "my-grades")
            browsing.open(student, school, f"/school/my/terms/{room.course.term_id}/report/")
            browsing.shot(student, "term-report")
            if viewport is not None:
                for page in (who.page, student.page):
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= PHONE["width"], width
