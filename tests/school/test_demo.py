"""The demo school gets realistic records once, however often the demo command runs."""

import pytest
from django_tenants.utils import tenant_context

from accounts.roles import Role
from realtime.models import Notification
from school.demo import demo_seed
from school.models import Grade, Guardianship, Invoice, InvoiceStatus, Payment, Term
from tenants.models import Tenant
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db


def test_demo_seed_fills_the_school_once(school: Tenant) -> None:
    make_user(school, Role.ADMINISTRATOR, email="admin@demo.test")
    lisa = make_user(school, Role.STUDENT, email="lisa@demo.test", name="Lisa")
    make_user(school, Role.STUDENT, email="bart@demo.test", name="Bart")
    with tenant_context(school):
        demo_seed(tenant=school)
        counts = (
            Term.objects.count(),
            Grade.objects.count(),
            Invoice.objects.count(),
            Payment.objects.count(),
            Notification.objects.count(),
        )
        assert Term.objects.count() == 2
        assert Grade.objects.filter(status="draft").exists()
        assert Invoice.objects.filter(status=InvoiceStatus.OVERDUE).count() == 1
        assert Notification.objects.filter(recipient=lisa, type="grade.published").exists()
        demo_seed(tenant=school)
        assert counts == (
            Term.objects.count(),
            Grade.objects.count(),
            Invoice.objects.count(),
            Payment.objects.count(),
            Notification.objects.count(),
        )
    assert client_for(school, lisa).get("/school/my/grades/").status_code == 200


def test_demo_seed_gives_the_teacher_a_course_and_the_guardian_both_children(
    school: Tenant,
) -> None:
    make_user(school, Role.ADMINISTRATOR, email="admin@demo.test")
    lisa = make_user(school, Role.STUDENT, email="lisa@demo.test", name="Lisa")
    make_user(school, Role.STUDENT, email="bart@demo.test", name="Bart")
    largo = make_user(school, Role.TEACHER, email="largo@demo.test", name="Largo")
    marge = make_user(school, Role.GUARDIAN, email="marge@demo.test", name="Marge")
    with tenant_context(school):
        demo_seed(tenant=school)
        demo_seed(tenant=school)
        taught = sorted(c.subject.code for c in largo.courses_taught.all())
        children = sorted(
            g.student.display_name for g in Guardianship.objects.filter(guardian=marge)
        )
        named = set(
            Notification.objects.filter(recipient=marge).values_list("data__child__name", flat=True)
        )
    assert taught == ["ENG", "ENG"]  # English 9A of both terms
    assert children == ["Bart", "Lisa"]
    assert named == {"Lisa", "Bart"}  # Marge heard about both, named
    assert client_for(school, marge).get(f"/school/my/grades/?student={lisa.pk}").status_code == 200
    assert client_for(school, largo).get("/school/courses/").status_code == 200
