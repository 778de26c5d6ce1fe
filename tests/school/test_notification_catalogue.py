"""The school's notification catalogue is the contract between its services and its pages:
every type the school sends is declared in school/notifications.py, every service stores
exactly the declared parameters, titles and bodies are rendered from them alone, and every key
the pages' scripts read from `notification.data` is declared."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from django.conf import settings
from django.urls import resolve
from django.utils import formats
from django_tenants.utils import tenant_context

from accounts.roles import Role
from realtime.catalogue import NotificationType, registered_types, render
from realtime.models import Notification
from school import notifications
from school.clock import tenant_today
from school.models import AnnouncementReach, AnnouncementScope, Guardianship, Invoice
from school.money import money_text
from school.selectors_announcements import Audience
from school.services import grades, invoices, reminders
from school.services.announcements import announcement_send
from tenants.models import Tenant
from tenants.selectors import current_tenant
from tests.factories import make_user
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice

STATIC = Path(settings.BASE_DIR) / "static" / "school"
SCHOOL_PREFIXES = ("announcement.", "course.", "grade.", "invoice.", "payment.")

# What each page's script reads from a notification: the types it handles, the keys of
# `notification.data` it reads, and the keys it reads inside those (nested parameters).
PAGES: dict[str, tuple[set[str], set[str], dict[str, set[str]]]] = {
    "my_grades.js": ({"grade.published", "grade.updated"}, {"grades"}, {"grades": {"id"}}),
    "my_invoices.js": (
        {
            "payment.recorded",
            "invoice.issued",
            "invoice.cancelled",
            "invoice.due_soon",
            "invoice.overdue",
        },
        {"invoice"},
        {"invoice": {"id"}},
    ),
    # the overview re-reads its totals on these, reading nothing of them
    "overview.js": (
        {
            "payment.recorded",
            "invoice.issued",
            "invoice.cancelled",
            "invoice.due_soon",
            "invoice.overdue",
            "grade.published",
            "grade.updated",
        },
        set(),
        {},
    ),
}


def school_kinds() -> dict[str, NotificationType[Any]]:
    """The types school/notifications.py declares, by name."""
    return {
        value.type: value
        for value in vars(notifications).values()
        if isinstance(value, NotificationType)
    }


def nested_keys(kind: NotificationType[Any], key: str) -> set[str]:
    """The keys of a parameter that is a TypedDict, or a list of them."""
    annotation = get_type_hints(kind.params)[key]
    inner = getattr(annotation, "__args__", (annotation,))[0]
    return set(get_type_hints(inner))


def test_every_school_type_is_declared_once_and_registered() -> None:
    # given what the catalogue holds and what school/notifications.py declares
    declared = school_kinds()
    registered = {
        name: kind for name, kind in registered_types().items() if name.startswith(SCHOOL_PREFIXES)
    }
    # then they are the same declarations, and every school type the pages handle is one
    assert registered == declared
    assert set(declared) == {
        "announcement.published",
        "course.teacher_assigned",
        "grade.published",
        "grade.updated",
        "invoice.issued",
        "invoice.cancelled",
        "invoice.overdue",
        "invoice.due_soon",
        "payment.recorded",
    }
    for types, _keys, _nested in PAGES.values():
        assert types <= set(declared)


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_read_only_declared_parameters(page: str) -> None:
    # given what the page's script actually reads (scanned, so a new read cannot slip in
    # without being listed above)
    script = (STATIC / page).read_text()
    types, keys, nested = PAGES[page]
    handled = set(re.findall(r'"((?:grade|invoice|payment)\.[a-z_]+)"', script))
    read = set(re.findall(r"\bdata\.([A-Za-z_]\w*)", script))
    read |= set(re.findall(r"\bdata\[\s*[\"']([A-Za-z_]\w*)[\"']\s*\]", script))
    read_nested = {
        key: set(re.findall(rf"\bdata\.{key}\.([A-Za-z_]\w*)", script)) for key in nested
    }
    if "grades" in nested:  # (data.grades || []).map((g) => g.id)
        read_nested["grades"] |= set(re.findall(r"\(g\) => g\.([A-Za-z_]\w*)", script))
    # then the listed reads are the reads
    assert handled == types
    assert read == keys
    assert read_nested == nested
    # and each is a declared parameter (or the rendered title/body/url) of every type it handles
    kinds = registered_types()
    for name in types:
        kind = kinds[name]
        assert keys <= kind.keys() | kind.shown_keys(), name
        for key, inner in nested.items():
            assert inner <= nested_keys(kind, key), (name, key)


def test_no_other_school_script_reads_notifications() -> None:
    # a script that starts reading notifications must be listed in PAGES
    readers = {
        path.name
        for path in STATIC.glob("*.js")
        if "onNotification" in path.read_text() or "notification.data" in path.read_text()
    }
    assert readers == set(PAGES)


def test_the_payments_feed_reads_only_what_its_topic_event_carries() -> None:
    # the feed's events are a topic's, not notifications, but their row is a declared shape
    from school.payloads import PaymentRow

    script = (STATIC / "payments_feed.js").read_text()
    read = set(re.findall(r"\bevent\.payment\.([A-Za-z_]\w*)", script))
    assert read == {"id"} and read <= set(get_type_hints(PaymentRow))


# --- every type, sent by the real service ----------------------------------------------------


def _send_every_school_type(p: People) -> dict[str, Invoice]:
    """Runs each notifying service once; returns the invoices it used, by type."""
    course = make_course(students=[p.alice], name="Chemistry")
    teacher = make_user(current_tenant(), Role.TEACHER, name="Teacher")
    grades.course_set_teachers(course=course, teachers=[teacher], by=p.admin)  # assigned
    quiz = make_assessment(course, title="Quiz", max_score="20")
    lab = make_assessment(course, title="Lab", max_score="50", weight="2")
    make_grade(quiz, p.alice, "12.5", by=p.admin)
    make_grade(lab, p.alice, "40", by=p.admin)
    grades.course_publish(course=course, by=p.admin)  # grade.published
    grades.grade_enter(assessment=quiz, student=p.alice, score="14", by=p.admin)  # a correction
    grades.course_publish(course=course, by=p.admin)  # grade.updated
    today = tenant_today()
    issued = invoices.invoice_issue(
        student=p.bob, description="Books", amount="20", due_on=today, by=p.admin
    )
    cancelled = make_invoice(p.carol, by=p.admin, description="Trip")
    invoices.invoice_cancel(invoice=cancelled, reason="Trip called off", by=p.admin)
    paid = make_invoice(p.alice, by=p.admin, amount="1250", description="Tuition")
    invoices.payment_record(invoice=paid, amount="1000.5", method="card", by=p.admin)
    late = make_invoice(p.bob, by=p.admin, due_on=today - timedelta(days=1), description="Lab")
    soon = make_invoice(p.carol, by=p.admin, due_on=today + timedelta(days=2), description="Bus")
    reminders.invoices_daily_run()  # invoice.overdue (late), invoice.due_soon (soon, issued)
    announcement_send(  # announcement.published, to the course's student and her guardian
        author=teacher,
        title="Field trip",
        body="Bring lunch.",
        audience=Audience(scope=AnnouncementScope.COURSE, course=course),
        reach=AnnouncementReach.EVERYONE,
    )
    for invoice in (issued, cancelled, paid, late, soon):
        invoice.refresh_from_db()
    return {
        "invoice.issued": issued,
        "invoice.cancelled": cancelled,
        "payment.recorded": paid,
        "invoice.overdue": late,
        "invoice.due_soon": soon,
    }


@pytest.mark.django_db
def test_every_school_type_is_sent_with_exactly_its_declared_parameters(
    school: Tenant, people: People, on_commit: Any
) -> None:
    guardian = make_user(school, Role.GUARDIAN, name="Guardian")
    with tenant_context(school):
        # given every school service that notifies, run for real, to students with a guardian
        for child in (people.alice, people.bob, people.carol):
            Guardianship.objects.create(guardian=guardian, student=child)
        with on_commit(execute=True):
            _send_every_school_type(people)
        stored = list(Notification.objects.order_by("pk"))
    # then every school type was sent, each row storing exactly its declared parameters
    # (nested rows included; only the guardian's copies name the child) and nothing rendered
    kinds = school_kinds()
    assert {n.type for n in stored} == set(kinds)
    about_students = set(kinds) - {"course.teacher_assigned"}
    assert {n.type for n in stored if n.recipient_id == guardian.pk} == about_students
    for n in stored:
        kind = kinds[n.type]
        expected = kind.keys() if n.recipient_id == guardian.pk else kind.required_keys()
        assert set(n.data) == expected, n.type
        assert not set(n.data) & registered_types()[n.type].shown_keys()
        for key, value in n.data.items():
            if isinstance(value, dict):
                assert set(value) == nested_keys(kind, key), (n.type, key)
            if isinstance(value, list):
                assert all(set(row) == nested_keys(kind, key) for row in value), (n.type, key)
        # and its link is one of the school's pages
        shown = render(n.type, n.data, language="en")
        assert shown.title and shown.body
        assert resolve(shown.url.partition("?")[0]).namespace == "school"


@pytest.mark.django_db
def test_titles_and_bodies_read_as_before(school: Tenant, people: People, on_commit: Any) -> None:
    with tenant_context(school):
        # given every school type sent once
        with on_commit(execute=True):
            used = _send_every_school_type(people)
        shown = {
            (n.recipient_id, n.type): render(n.type, n.data, language="en")
            for n in Notification.objects.order_by("pk")
        }
        currency = used["invoice.issued"].currency
        today = tenant_today()

    def money(amount: str) -> str:
        return money_text(Decimal(amount), currency)

    def text(key: tuple[int, str]) -> tuple[str, str, str]:
        return shown[key].title, shown[key].body, shown[key].url

    def due(invoice: Invoice) -> str:
        # the reader's locale's one date format, as on their pages
        return formats.date_format(invoice.due_on, "SHORT_DATE_FORMAT")

    alice, bob, carol = people.alice.pk, people.bob.pk, people.carol.pk
    # then the sentences are the ones the services wrote before the catalogue
    assert text((alice, "grade.published")) == (
        "2 new grades in Chemistry",
        "Quiz 12.5/20 (62.5), Lab 40/50 (80)",
        "/school/my/grades/",
    )
    assert text((alice, "grade.updated")) == (
        "Grade corrected in Chemistry",
        "Quiz 14/20 (70)",
        "/school/my/grades/",
    )
    issued, cancelled = used["invoice.issued"], used["invoice.cancelled"]
    late, soon = used["invoice.overdue"], used["invoice.due_soon"]
    assert text((bob, "invoice.issued")) == (
        "New invoice",
        f"{issued.number} Books: {money('20')}, due {due(issued)}.",
        "/school/my/invoices/",
    )
    assert text((carol, "invoice.cancelled")) == (
        "Invoice cancelled",
        f"{cancelled.number} Trip was cancelled (Trip called off); you owe nothing on it.",
        "/school/my/invoices/",
    )
    paid = used["payment.recorded"]
    assert text((alice, "payment.recorded")) == (
        "Payment received",
        f"{money('1000.50')} received for {paid.number} Tuition. "
        f"Remaining on it: {money('249.50')}.",
        "/school/my/invoices/",
    )
    assert money("1000.50") == "$1,000.50 USD"  # thousands separated, two places, the code
    assert text((bob, "invoice.overdue")) == (
        "Invoice overdue",
        f"{late.number} Lab was due on {due(late)}; {money('100')} is still outstanding.",
        "/school/my/invoices/",
    )
    assert text((carol, "invoice.due_soon")) == (
        "Invoice due soon",
        f"{soon.number} Bus is due in 2 days ({due(soon)}): {money('100')} to pay.",
        "/school/my/invoices/",
    )
    # and the invoice issued today, due today, was reminded as "due today"
    assert (issued.due_on - today).days == 0
    assert shown[(bob, "invoice.due_soon")].body == (
        f"{issued.number} Books is due today ({due(issued)}): {money('20')} to pay."
    )
