"""Billing runs as the worker runs them: one fee to a level or a group, each student billed
once however often the run is started or its task runs — PostgreSQL decides, not the Python
checks (threads here have their own connections and commit for real) — with the families
notified as for an invoice issued by hand, and nothing in the other school."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from realtime.models import Notification
from school.models import (
    BillingRun,
    BillingRunStatus,
    Course,
    Invoice,
    SchoolYear,
    SkipReason,
    Subject,
    Term,
)
from school.services import invoices
from school.services.billing_runs import RunExists, billing_run_execute, billing_run_start
from tenants.models import Tenant
from tests.concurrency import in_threads
from tests.school.billing_data import Billing, billing_school
from tests.school.factories import make_billing_run

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture
def b(school: Tenant, school_b: Tenant) -> Billing:
    return billing_school(school, school_b)


def billed(run: BillingRun) -> set[str]:
    return set(run.invoices.values_list("student__full_name", flat=True))


def skipped(run: BillingRun) -> dict[str, str]:
    return dict(run.skips.values_list("student__full_name", "reason"))


def issued_notifications() -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in Notification.objects.filter(type="invoice.issued").values_list(
        "recipient__full_name", flat=True
    ):
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_a_group_run_bills_its_students_and_tells_their_families(
    school: Tenant, school_b: Tenant, b: Billing
) -> None:
    with tenant_context(school):
        # when the administrator bills the month's tuition to 3° A (the worker runs it once
        # the start commits: eagerly in tests)
        run = billing_run_start(fee=b.fee, group=b.group_a, due_on=b.due_on, by=b.admin)
        run.refresh_from_db()
        # then the run is done: Ana and Beto billed, Cami (no guardian) skipped and why
        assert run.status == BillingRunStatus.DONE and run.finished_at is not None
        assert (run.student_count, run.issued_count, run.skipped_count) == (3, 2, 1)
        assert billed(run) == {"Ana", "Beto"}
        assert skipped(run) == {"Cami": SkipReason.NO_GUARDIAN}
        # each invoice is the fee's, due that day, issued by the administrator
        for invoice in run.invoices.all():
            assert (invoice.fee_id, invoice.description, str(invoice.amount)) == (
                b.fee.pk,
                "Tuition September",
                "1500.00",
            )
            assert invoice.due_on == b.due_on and invoice.issued_by_id == b.admin.pk
        # nobody of 3° B, 4° A or without a group is billed
        assert set(Invoice.objects.values_list("student__full_name", flat=True)) == {"Ana", "Beto"}
        # each family hears "New invoice" once, exactly as for an invoice issued by hand:
        # the student, and their guardian a copy naming the child
        assert issued_notifications() == {
            "Ana": 1,
            "Beto": 1,
            "Gloria Guardian": 1,
            "Bruno Guardian": 1,
        }
        copy = Notification.objects.get(recipient=b.guardian, type="invoice.issued")
        assert copy.data["child"]["name"] == "Ana" and copy.data["balance"] == "1500.00"
    # and the other school, with its own "3° A" and the same fee's name, has nothing
    with tenant_context(school_b):
        assert not Invoice.objects.exists() and not BillingRun.objects.exists()
        assert not Notification.objects.exists()


def test_the_same_run_started_or_run_again_issues_nothing_twice(school: Tenant, b: Billing) -> None:
    with tenant_context(school):
        run = billing_run_start(fee=b.fee, group=b.group_a, due_on=b.due_on, by=b.admin)
        before = (Invoice.objects.count(), Notification.objects.count())
        # when the administrator starts it again: refused, naming the run that exists
        with pytest.raises(RunExists) as refused:
            billing_run_start(fee=b.fee, group=b.group_a, due_on=b.due_on, by=b.admin)
        assert refused.value.run.pk == run.pk
        assert "already billed to 3° A" in refused.value.messages[0]
        # and when its task runs again (a redelivery after the worker died mid-run)
        BillingRun.objects.filter(pk=run.pk).update(status=BillingRunStatus.RUNNING)
        again = billing_run_execute(run_id=run.pk)
        # then nothing new was issued or sent, and the run still says what it did
        assert (Invoice.objects.count(), Notification.objects.count()) == before
        assert (again.status, again.issued_count, again.skipped_count) == ("done", 2, 1)
        assert BillingRun.objects.count() == 1


def test_two_administrators_starting_the_same_run_at_once_get_one_run(
    school: Tenant, b: Billing
) -> None:
    def start() -> BillingRun:
        return billing_run_start(fee=b.fee, level="3°", due_on=b.due_on, by=b.admin)

    # when two requests for the same run arrive at the same moment
    results = in_threads(school, [start, start, start])
    # then PostgreSQL let one through; the others were told the run exists
    won = [r for r in results if isinstance(r, BillingRun)]
    lost = [r for r in results if isinstance(r, RunExists)]
    assert len(won) == 1 and len(lost) == 2, results
    assert all(r.run.pk == won[0].pk for r in lost)
    with tenant_context(school):
        assert BillingRun.objects.count() == 1
        assert sorted(Invoice.objects.values_list("student__full_name", flat=True)) == [
            "Ana",
            "Beto",
            "Dani",
        ]
        assert issued_notifications()["Gloria Guardian"] == 2  # Ana's and Dani's


def test_two_workers_running_one_run_at_once_bill_each_student_once(
    school: Tenant, b: Billing
) -> None:
    # given a run queued but not run (its row only), and its task delivered to two workers
    with tenant_context(school):
        run = make_billing_run(
            b.fee,
            by=b.admin,
            due_on=b.due_on,
            level="3°",
        )

    def execute() -> BillingRun:
        return billing_run_execute(run_id=run.pk)

    results = in_threads(school, [execute, execute])
    assert all(isinstance(r, BillingRun) for r in results), results
    with tenant_context(school):
        # then each student has one invoice and each family one "New invoice"
        assert Invoice.objects.filter(billing_run=run).count() == 3
        assert issued_notifications() == {
            "Ana": 1,
            "Beto": 1,
            "Dani": 1,
            "Gloria Guardian": 2,
            "Bruno Guardian": 1,
        }
        run.refresh_from_db()
        assert run.status == "done"
        assert skipped(run) == {"Cami": SkipReason.NO_GUARDIAN}


def test_the_database_itself_refuses_a_second_run_or_a_second_invoice(
    school: Tenant, b: Billing
) -> None:
    # given a run that billed 3° A
    with tenant_context(school):
        run = billing_run_start(fee=b.fee, group=b.group_a, due_on=b.due_on, by=b.admin)
        fields = {
            "fee": b.fee,
            "due_on": b.due_on,
            "description": "x",
            "amount": b.fee.amount,
            "created_by": b.admin,
        }
        # then code that skipped every check still cannot insert the same run...
        with pytest.raises(IntegrityError), transaction.atomic():
            BillingRun.objects.create(group=b.group_a, **fields)
        # ...or a run with both audiences, or none
        with pytest.raises(IntegrityError), transaction.atomic():
            BillingRun.objects.create(group=b.group_b, level="3°", **fields)
        # ...or a second invoice of the run for Ana
        ana_invoice = run.invoices.get(student=b.ana)
        invoice_fields = {
            "student": b.ana,
            "fee": b.fee,
            "description": "x",
            "amount": "1.00",
            "currency": "MXN",
            "issued_on": ana_invoice.issued_on,
            "issued_by": b.admin,
        }
        with pytest.raises(IntegrityError), transaction.atomic():
            Invoice.objects.create(
                billing_run=run, due_on=b.due_on + timedelta(days=1), **invoice_fields
            )
        # ...or another run's invoice of the same fee and due date for her
        other = BillingRun.objects.create(level="3°", **fields)
        with pytest.raises(IntegrityError), transaction.atomic():
            Invoice.objects.create(billing_run=other, due_on=b.due_on, **invoice_fields)


def test_a_level_run_after_a_group_run_skips_who_is_already_billed(
    school: Tenant, b: Billing
) -> None:
    with tenant_context(school):
        # given 3° A billed, and Eva of 4° A invoiced the same fee by hand
        billing_run_start(fee=b.fee, group=b.group_a, due_on=b.due_on, by=b.admin)
        invoices.invoice_issue(student=b.eva, fee=b.fee, due_on=b.due_on, by=b.admin)
        # when the administrator bills the whole level 3°, then level 4°
        level_3 = billing_run_start(fee=b.fee, level="3°", due_on=b.due_on, by=b.admin)
        level_4 = billing_run_start(fee=b.fee, level="4°", due_on=b.due_on, by=b.admin)
        level_3.refresh_from_db()
        level_4.refresh_from_db()
        # then only Dani is new in 3°; Ana and Beto were billed by the group's run
        assert billed(level_3) == {"Dani"}
        assert skipped(level_3) == {
            "Ana": SkipReason.ALREADY_INVOICED,
            "Beto": SkipReason.ALREADY_INVOICED,
            "Cami": SkipReason.NO_GUARDIAN,
        }
        # and Eva's invoice by hand counts too
        assert billed(level_4) == set()
        assert skipped(level_4) == {"Eva": SkipReason.ALREADY_INVOICED}
        assert Invoice.objects.filter(student=b.ana).count() == 1
        # and once Eva's invoice by hand is cancelled, it no longer counts: her group's run
        # bills her
        eva_invoice = Invoice.objects.get(student=b.eva)
        invoices.invoice_cancel(invoice=eva_invoice, reason="Wrong month", by=b.admin)
        group_4a = billing_run_start(fee=b.fee, group=b.group_c, due_on=b.due_on, by=b.admin)
        assert billed(group_4a) == {"Eva"}


def _refusal(**kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        billing_run_start(**kwargs)
    return refused.value.message_dict


def test_bad_requests_are_refused_with_a_reason_and_nothing_runs(
    school: Tenant, school_b: Tenant, b: Billing
) -> None:
    with tenant_context(school):
        common = {"by": b.admin, "due_on": b.due_on, "fee": b.fee}
        # a group without students
        assert _refusal(group=b.empty, **common)["audience"] == [
            "3° C has no students: there is no one to bill."
        ]
        # a level without students
        assert "no one to bill" in _refusal(level="9°", **common)["audience"][0]
        # neither or both audiences
        assert "one level or one group" in _refusal(**common)["audience"][0]
        assert (
            "one level or one group"
            in _refusal(group=b.group_a, level="3°", **common)["audience"][0]
        )
        # a fee out of the catalogue
        invoices.fee_set_active(fee=b.fee, active=False, by=b.admin)
        assert _refusal(group=b.group_a, **common)["fee"] == [
            "Tuition September is no longer in the catalogue."
        ]
        invoices.fee_set_active(fee=b.fee, active=True, by=b.admin)
        # a due date in the past
        past = {**common, "due_on": b.due_on - timedelta(days=60)}
        assert _refusal(group=b.group_a, **past)["due_on"] == [
            "The due date cannot be in the past."
        ]
        # a group whose courses are all in another school year than the due date's
        SchoolYear.objects.create(
            name="2026-2027", starts_on=b.due_on - timedelta(days=100), ends_on=b.due_on
        )
        next_year = SchoolYear.objects.create(
            name="2027-2028",
            starts_on=b.due_on + timedelta(days=1),
            ends_on=b.due_on + timedelta(days=300),
        )
        term = Term.objects.create(
            year=next_year,
            name="Next autumn",
            starts_on=next_year.starts_on,
            ends_on=next_year.starts_on + timedelta(days=90),
            entry_opens_on=next_year.starts_on,
            entry_closes_on=next_year.starts_on + timedelta(days=90),
        )
        subject = Subject.objects.create(code="MAT", name="Maths")
        Course.objects.create(term=term, subject=subject, group=b.group_a, name="Maths 3° A")
        problem = _refusal(group=b.group_a, **common)["audience"][0]
        assert "3° A has courses only in other school years, not in 2026-2027" in problem
        # and nothing was run or billed
        assert not BillingRun.objects.exists() and not Invoice.objects.exists()


def test_a_run_that_stops_half_way_says_so_and_starting_it_again_bills_the_rest(
    school: Tenant, b: Billing, monkeypatch: pytest.MonkeyPatch
) -> None:
    from school.services import billing_runs

    real = billing_runs.invoice_create_and_notify
    calls: list[str] = []

    def breaks_on_the_second(**kwargs: Any) -> Invoice:
        calls.append(kwargs["student"].full_name)
        if len(calls) == 2:
            raise RuntimeError("the printer caught fire")
        return real(**kwargs)

    # given a worker that fails on the second student it bills
    monkeypatch.setattr(billing_runs, "invoice_create_and_notify", breaks_on_the_second)
    with tenant_context(school):
        run = billing_run_start(fee=b.fee, level="3°", due_on=b.due_on, by=b.admin)
        run.refresh_from_db()
        # then the run stopped, saying what it issued before, and why for the operators
        assert run.status == BillingRunStatus.FAILED and run.finished_at is not None
        assert (run.issued_count, run.skipped_count) == (1, 0)
        assert "RuntimeError: the printer caught fire" in run.error
        first = billed(run)
        assert len(first) == 1
        # when the administrator starts the same run again (the worker is well again)
        monkeypatch.setattr(billing_runs, "invoice_create_and_notify", real)
        again = billing_run_start(fee=b.fee, level="3°", due_on=b.due_on, by=b.admin)
        # then it is the same run, now done; the rest are billed and nobody twice
        assert again.pk == run.pk and BillingRun.objects.count() == 1
        run.refresh_from_db()
        assert run.status == BillingRunStatus.DONE and run.error == ""
        assert billed(run) == {"Ana", "Beto", "Dani"}
        assert Invoice.objects.count() == 3
        assert sum(issued_notifications().values()) == 3 + 3  # three students, three copies
        # and once done, starting it again is refused as before
        with pytest.raises(RunExists):
            billing_run_start(fee=b.fee, level="3°", due_on=b.due_on, by=b.admin)


def test_a_billed_group_is_kept_even_once_empty(school: Tenant, b: Billing) -> None:
    from school.errors import Conflict
    from school.models import ClassGroup, StudentRecord
    from school.services.groups import group_delete

    with tenant_context(school):
        # given 3° B billed, then its only student moved to 3° A
        billing_run_start(fee=b.fee, group=b.group_b, due_on=b.due_on, by=b.admin)
        StudentRecord.objects.filter(student=b.dani).update(group=b.group_a)
        # when the administrator deletes the now empty group: refused, saying why
        with pytest.raises(Conflict) as refused:
            group_delete(group=b.group_b, by=b.admin)
        assert "has been billed" in refused.value.messages[0]
        assert ClassGroup.objects.filter(pk=b.group_b.pk).exists()
        # while a group never billed, and empty, goes
        group_delete(group=b.empty, by=b.admin)
        assert not ClassGroup.objects.filter(pk=b.empty.pk).exists()
