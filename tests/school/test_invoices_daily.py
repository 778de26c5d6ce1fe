"""The daily invoice job: runs per school in its schema, marks overdue invoices, reminds
students in the inbox and by e-mail, and sends nothing twice however often it runs."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from config.celery import app
from realtime.models import Notification
from realtime.services import notification_payload
from school.clock import tenant_today
from school.models import Invoice, InvoiceReminder, InvoiceStatus
from school.services.reminders import invoices_daily_run
from school.tasks import invoices_daily
from tenants.models import Tenant
from tenants.tasks import enqueue_for_tenant, fan_out_to_tenants
from tests.factories import make_user
from tests.school.conftest import People
from tests.school.factories import make_invoice

pytestmark = pytest.mark.django_db


def sent(user: Any) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("seq").values_list("type", flat=True)
    )


def test_the_task_is_registered_under_its_beat_name() -> None:
    assert invoices_daily.name == "school.tasks.invoices_daily"
    assert app.tasks["school.tasks.invoices_daily"].name == invoices_daily.name


def test_overdue_and_due_soon_reminders_are_sent_once(
    school: Tenant, people: People, on_commit: Any
) -> None:
    with tenant_context(school):
        today = tenant_today()
        late = make_invoice(people.alice, by=people.admin, due_on=today - timedelta(days=1))
        late_partly_paid = make_invoice(
            people.bob,
            by=people.admin,
            due_on=today - timedelta(days=5),
            paid="30",
            status="partially_paid",
        )
        soon = make_invoice(people.carol, by=people.admin, due_on=today + timedelta(days=3))
        later = make_invoice(people.carol, by=people.admin, due_on=today + timedelta(days=4))
        paid = make_invoice(
            people.alice,
            by=people.admin,
            due_on=today - timedelta(days=1),
            paid="100",
            status="paid",
        )
        cancelled = make_invoice(
            people.bob, by=people.admin, due_on=today - timedelta(days=1), status="cancelled"
        )
        # when the job runs
        with on_commit(execute=True):
            first = invoices_daily_run()
        # then late invoices are overdue and their students told, in the inbox and by e-mail
        statuses = dict(Invoice.objects.values_list("pk", "status"))
        assert statuses[late.pk] == statuses[late_partly_paid.pk] == InvoiceStatus.OVERDUE
        assert statuses[soon.pk] == statuses[later.pk] == InvoiceStatus.ISSUED
        assert statuses[paid.pk] == InvoiceStatus.PAID
        assert statuses[cancelled.pk] == InvoiceStatus.CANCELLED
        assert sent(people.alice) == ["invoice.overdue"]
        assert sent(people.bob) == ["invoice.overdue"]
        assert sent(people.carol) == ["invoice.due_soon"]
        assert (first.marked_overdue, first.overdue_sent, first.due_soon_sent) == (2, 2, 1)
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [people.alice.email, people.bob.email, people.carol.email]
        )
        overdue_mail = next(m for m in mail.outbox if m.to == [people.alice.email])
        assert late.number in overdue_mail.subject and "still outstanding" in overdue_mail.body
        notification = Notification.objects.get(recipient=people.carol)
        assert notification.data["invoice"]["id"] == soon.pk
        assert "due in 3 days" in notification_payload(notification, language="en")["data"]["body"]
        # when it runs again (same day, or redelivered) nothing new is sent
        with on_commit(execute=True) as callbacks:
            second = invoices_daily_run()
        assert (second.marked_overdue, second.overdue_sent, second.due_soon_sent) == (0, 0, 0)
        assert callbacks == []
        assert len(mail.outbox) == 3 and Notification.objects.count() == 3
        assert InvoiceReminder.objects.count() == 3


def test_a_due_soon_invoice_that_becomes_late_gets_its_overdue_reminder(
    school: Tenant, people: People
) -> None:
    with tenant_context(school):
        today = tenant_today()
        invoice = make_invoice(people.alice, by=people.admin, due_on=today + timedelta(days=1))
        invoices_daily_run(today=today)
        invoices_daily_run(today=today + timedelta(days=1))  # due today: nothing new
        invoices_daily_run(today=today + timedelta(days=2))
        invoices_daily_run(today=today + timedelta(days=3))
        assert sent(people.alice) == ["invoice.due_soon", "invoice.overdue"]
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.OVERDUE


def test_the_celery_task_runs_in_the_schema_it_is_queued_for(
    school: Tenant, school_b: Tenant, people: People, on_commit: Any
) -> None:
    # given a late invoice in each school
    with tenant_context(school):
        ours = make_invoice(
            people.alice, by=people.admin, due_on=tenant_today() - timedelta(days=2)
        )
    admin_b = make_user(school_b, "administrator")
    student_b = make_user(school_b, "student")
    with tenant_context(school_b):
        theirs = make_invoice(student_b, by=admin_b, due_on=tenant_today() - timedelta(days=2))
    # when the task is queued (from the public schema) for the first school only
    with on_commit(execute=True):
        enqueue_for_tenant(invoices_daily, schema_name=school.schema_name)
    # then only that school's invoice moved
    with tenant_context(school):
        assert Invoice.objects.get(pk=ours.pk).status == InvoiceStatus.OVERDUE
        assert sent(people.alice) == ["invoice.overdue"]
    with tenant_context(school_b):
        assert Invoice.objects.get(pk=theirs.pk).status == InvoiceStatus.ISSUED
        assert sent(student_b) == []
    # and beat's fan-out runs it in every active school (twice: still one reminder each)
    with on_commit(execute=True):
        fan_out_to_tenants(kind="school", task_name="school.tasks.invoices_daily")
        fan_out_to_tenants(kind="school", task_name="school.tasks.invoices_daily")
    with tenant_context(school_b):
        assert Invoice.objects.get(pk=theirs.pk).status == InvoiceStatus.OVERDUE
        assert sent(student_b) == ["invoice.overdue"]
    with tenant_context(school):
        assert sent(people.alice) == ["invoice.overdue"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people.alice.email, student_b.email])
