"""The demo school gets realistic records once, however often the demo command runs."""

import pytest
from django_tenants.utils import tenant_context

from accounts.roles import Role
from realtime.models import Notification
from school.demo import demo_seed
from school.models import Grade, Invoice, InvoiceStatus, Payment, Term
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
