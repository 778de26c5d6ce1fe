"""The CSV downloads from the pages that offer them, through Daphne as a browser gets them (the
ASGI path streams an asynchronous iterator): the link carries the list's filters, the file is
UTF-8 with a BOM and headers in the reader's language; and the pages with the new link, desktop
and phone, in English and Spanish (saved as screenshots)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from school.models import Course
from school.services.invoices import payment_record
from tenants.models import Tenant
from tests.e2e.browser import Browsing
from tests.e2e.data import off_the_browser_thread
from tests.factories import make_user
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass
class World:
    admin: User
    course: Course


@off_the_browser_thread
def school_with_money_and_grades(tenant: Tenant, *, language: str) -> World:
    admin = make_user(tenant, Role.ADMINISTRATOR, name="Grace Admin")
    students = [make_user(tenant, Role.STUDENT, name=name) for name in ("Ana Núñez", "Bruno Peña")]
    with tenant_context(tenant):
        User.objects.filter(pk=admin.pk).update(language=language)
        course = make_course(students=students, name="Matemáticas")
        quiz = make_assessment(course, title="Quiz 1", max_score="10")
        make_grade(quiz, students[0], "9.5", by=admin)
        for student in students:
            invoice = make_invoice(student, by=admin, amount="1500.50", description="Colegiatura")
        payment_record(invoice=invoice, amount=Decimal("500"), method="cash", by=admin)
    return World(admin=admin, course=course)


@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_the_download_links_on_desktop_and_phone(
    browsing: Browsing, school: Tenant, school_b: Tenant, language: str
) -> None:
    world = school_with_money_and_grades(school, language=language)
    admin = browsing.signed_in("admin", school, world.admin, "/school/invoices/?q=Colegiatura")
    # the invoices list's link carries its filter, and the file downloads through Daphne
    link = admin.page.locator("a.download")
    assert link.get_attribute("href") == "/school/invoices.csv?q=Colegiatura"
    with admin.page.expect_download() as download:
        link.click()
    path = download.value.path()
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff" + ("Number," if language == "en" else "Folio,"))
    assert "1500.50" in text and "Ana Núñez" in text
    assert download.value.suggested_filename.startswith(f"{school.slug}-invoices-")
    pages = {
        "invoices": "/school/invoices/?q=Colegiatura",
        "payments": "/school/payments/",
        "gradebook": f"/school/courses/{world.course.pk}/gradebook/",
        "people": "/people/?role=student",
    }
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        admin.page.set_viewport_size(size)  # type: ignore[arg-type]
        for name, path_ in pages.items():
            browsing.open(admin, school, path_)
            assert admin.page.locator("a.download").count() == 1, name
            wide = admin.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= size["width"], f"{name} on {size_name}: {wide}"
            browsing.shot(admin, f"{name}-{language}-{size_name}")
