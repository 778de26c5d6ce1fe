"""An administrator sends an announcement from the form; a guardian of the group, on a phone,
gets it live and opens it; the administrator's open page counts the read without a reload.
In English and in Spanish, with screenshots of every announcement page on a desktop and a
phone (test-artifacts/e2e/<test>/)."""

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import ViewportSize, expect

from accounts.models import User
from tenants.models import Tenant
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import off_the_browser_thread
from tests.e2e.site_map import Person
from tests.e2e.test_every_page import AXE, Survey, axe_finds, phone_finds
from tests.school.announcements_data import Town, make_town

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

PHONE: ViewportSize = {"width": 390, "height": 844}
READ_COUNT = {"en": "{read} of {total} read", "es-mx": "{read} de {total} lo leyeron"}


@off_the_browser_thread
def _town(school: Tenant, school_b: Tenant, language: str) -> Town:
    town = make_town(school, school_b)
    with tenant_context(school):
        User.objects.update(language=language)
    return town


def _audit(visitor: Visitor, school: Tenant, user: User, language: str, *, phone: bool) -> None:
    """What the every-page walk checks, on this page: axe-core finds nothing serious, every
    field has a label, and on a phone nothing scrolls sideways or is too small to press."""
    page = visitor.page
    page.add_script_tag(path=str(AXE))
    survey = Survey()
    where = f"{visitor.name} {page.url}"
    axe_finds(page, survey, where, language)
    if phone:
        phone_finds(page, survey, where, Person("school", user.role, school, "", user))
    assert not survey.problems, survey.report()


@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_an_announcement_reaches_the_guardian_and_its_read_count_moves_live(
    browsing: Browsing, school: Tenant, school_b: Tenant, language: str
) -> None:
    town = _town(school, school_b, language)
    # given the guardian of two children of 1° A on their phone, and a guardian of 1° B
    guardian = browsing.visitor("guardian-phone", viewport=PHONE)
    browsing.add_session(guardian, school, town.g12)
    browsing.open(guardian, school, "/school/announcements/")
    guardian.wait_until_live()
    other = browsing.signed_in("other-guardian", school, town.g3, "/school/")
    # when the administrator writes to 1° A, students and guardians, from the form
    admin = browsing.signed_in("admin", school, town.admin, "/school/announcements/new/")
    form = admin.page.locator("form.announcement-form")
    form.locator("input[name=title]").fill("Museum trip")
    form.locator("textarea[name=body]").fill("We leave at 8:00 on Friday.\nBring lunch and a hat.")
    form.locator("select[name=audience]").select_option(f"group:{town.g1.pk}")
    form.locator("input[name=reach][value=everyone]").check()
    browsing.shot(admin, "form-filled")
    _audit(admin, school, town.admin, language, phone=False)
    form.locator("button[type=submit]").click()
    counter = admin.page.locator("#announcement-reads")
    expect(counter).to_have_text(READ_COUNT[language].format(read=0, total=3))
    admin.wait_until_live()
    admin.mark_page()
    browsing.shot(admin, "sent")

    # then the guardian's phone shows it at once, once
    toast = guardian.page.locator("#aviso-toasts .toast")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("Museum trip")
    expect(guardian.page.locator("#aviso-unread")).to_have_text("1")
    browsing.shot(guardian, "toast")
    # and when they open it, the administrator's page counts it without a reload
    toast.click()
    expect(guardian.page.locator("article.announcement h1")).to_have_text("Museum trip")
    expect(guardian.page.locator("article.announcement")).to_contain_text("Bring lunch")
    expect(guardian.page.locator("#announcement-reads")).to_have_count(0)
    browsing.shot(guardian, "opened")
    _audit(guardian, school, town.g12, language, phone=True)
    expect(counter).to_have_text(READ_COUNT[language].format(read=1, total=3))
    admin.expect_not_reloaded()
    browsing.shot(admin, "one-read")
    _audit(admin, school, town.admin, language, phone=False)
    # the guardian's list shows it read; the other group's guardian heard nothing
    browsing.open(guardian, school, "/school/announcements/")
    expect(guardian.page.locator("li.read[data-announcement-id]")).to_have_count(1)
    browsing.shot(guardian, "list")
    _audit(guardian, school, town.g12, language, phone=True)
    assert other.seqs() == []
    # the administrator's list, and the teacher's form, on a phone
    browsing.open(admin, school, "/school/announcements/")
    browsing.shot(admin, "list")
    _audit(admin, school, town.admin, language, phone=False)
    teacher = browsing.visitor("teacher-phone", viewport=PHONE)
    browsing.add_session(teacher, school, town.teacher)
    browsing.open(teacher, school, "/school/announcements/new/")
    audiences = teacher.page.locator("select[name=audience] option")
    expect(audiences).to_have_count(3)  # "—", their group, their course
    browsing.shot(teacher, "form")
    _audit(teacher, school, town.teacher, language, phone=True)
    admin_phone = browsing.visitor("admin-phone", viewport=PHONE)
    browsing.add_session(admin_phone, school, town.admin)
    browsing.open(admin_phone, school, "/school/announcements/")
    browsing.shot(admin_phone, "list")
    _audit(admin_phone, school, town.admin, language, phone=True)
    admin_phone.page.locator("table.announcements-sent a").first.click()
    expect(admin_phone.page.locator("#announcement-reads")).to_be_visible()
    browsing.shot(admin_phone, "detail")
    _audit(admin_phone, school, town.admin, language, phone=True)
