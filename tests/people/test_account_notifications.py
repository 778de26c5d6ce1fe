"""E-mail copies of notifications: each user picks, per family, whether a notification also
comes by e-mail (in-app is always on); the copies read as the inbox does, in the reader's
language, and never go out for types that are e-mails already."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from clinic.notifications import APPOINTMENT_MESSAGE, APPOINTMENT_REMINDER
from realtime.models import Notification, NotificationPreference
from realtime.services import notify
from school.notifications import GRADE_PUBLISHED, GradeParams
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db

GRADES: GradeParams = {
    "term_id": 1,
    "term": "Fall",
    "course_id": 2,
    "course": "Algebra",
    "grades": [
        {
            "id": 3,
            "assessment_id": 4,
            "assessment": "Quiz 1",
            "position": 1,
            "score": "17.00",
            "max_score": "20.00",
            "weight": "1.00",
            "percent": "85.00",
            "version": "1",
        }
    ],
    "course_average": "85.00",
}


def test_the_page_lists_the_kinds_families_and_saves_the_choice(
    school: Tenant, clinic: Tenant
) -> None:
    # given a student with the defaults
    lisa = make_user(school, Role.STUDENT)
    browser = client_for(school, lisa)
    page = browser.get("/account/me/notifications/").content.decode()
    # then the school's families are offered, the clinic's are not; grades are on by default
    assert re.search(r'<input [^>]*value="grades"[^>]*checked', page)
    assert 'value="billing"' in page and 'value="appointments"' not in page
    # when she keeps only billing
    response = browser.post("/account/me/notifications/", {"email_copy": ["billing"]})
    assert response.status_code == 302
    # then it is stored and shown
    with tenant_context(school):
        chosen = dict(
            NotificationPreference.objects.filter(user=lisa).values_list("family", "email_copy")
        )
    assert chosen["grades"] is False and chosen["billing"] is True
    overview = browser.get("/account/me/").content.decode()
    assert "Grades: in-app only" in overview
    assert "Invoices and payments: in-app and e-mail" in overview
    # and a clinic's patient is offered the clinic's families
    ned = make_user(clinic, Role.PATIENT)
    clinic_page = client_for(clinic, ned).get("/account/me/notifications/").content.decode()
    assert 'value="appointments"' in clinic_page and 'value="grades"' not in clinic_page


@pytest.mark.parametrize("family", ["nonsense", "appointments"], ids=["unknown", "other-kind"])
def test_an_unknown_family_is_a_400_with_a_message(school: Tenant, family: str) -> None:
    lisa = make_user(school, Role.STUDENT)
    response = client_for(school, lisa).post("/account/me/notifications/", {"email_copy": family})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    with tenant_context(school):
        assert not NotificationPreference.objects.filter(user=lisa).exists()


def _notify(
    tenant: Tenant,
    capture: Callable[..., Any],
    recipients: list[User],
    kind: Any,
    params: Any,
) -> None:
    with tenant_context(tenant), capture(execute=True):
        notify(recipients=recipients, kind=kind, params=params)


def test_copies_go_to_those_who_want_them_in_their_language(
    school: Tenant, school_b: Tenant, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # given three students: one with the default (grades on), one who turned grades off,
    # and one reading Spanish
    keen = make_user(school, Role.STUDENT, name="Keen")
    quiet = make_user(school, Role.STUDENT, name="Quiet")
    spanish = make_user(school, Role.STUDENT, name="Sofía")
    client_for(school, quiet).post("/account/me/notifications/", {"email_copy": ["billing"]})
    client_for(school, spanish).post(
        "/account/me/profile/", {"full_name": "Sofía", "language": "es-mx"}
    )
    mail.outbox.clear()
    # when a grade notification reaches all three
    _notify(
        school, django_capture_on_commit_callbacks, [keen, quiet, spanish], GRADE_PUBLISHED, GRADES
    )
    # then all three have it in-app, and only the two who want it by e-mail get one
    with tenant_context(school):
        assert Notification.objects.filter(type="grade.published").count() == 3
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == sorted([keen.email, spanish.email])
    english = by_recipient[keen.email]
    assert english.subject == "Alpha School: New grade in Algebra"
    assert "Quiz 1 17/20" in str(english.body)
    assert "http://alpha-school.test/school/my/grades/" in str(english.body)
    assert "/account/me/notifications/" in str(english.body)
    assert by_recipient[spanish.email].subject == "Alpha School: Nueva calificación en Algebra"
    assert "Hola" in str(by_recipient[spanish.email].body)


def test_no_copy_for_types_that_are_emails_already_or_in_app_only(
    clinic: Tenant, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # given a patient who wants every e-mail copy there is
    ned = make_user(clinic, Role.PATIENT)
    client_for(clinic, ned).post(
        "/account/me/notifications/",
        {"email_copy": ["appointments", "messages", "announcements", "system"]},
    )
    mail.outbox.clear()
    # when a reminder (sent as its own e-mail by the reminder run) and a test type that is
    # in-app only reach him
    params = {
        "appointment_id": 1,
        "state": "confirmed",
        "starts_at": "2026-12-31T15:00:00+00:00",
        "ends_at": "2026-12-31T15:30:00+00:00",
        "dentist_id": 1,
        "dentist_name": "Dr. Able",
        "type_name": "Check-up",
    }
    _notify(clinic, django_capture_on_commit_callbacks, [ned], APPOINTMENT_REMINDER, params)
    _notify(clinic, django_capture_on_commit_callbacks, [ned], TEST_MESSAGE, {"text": "hi"})
    # then no copy is sent
    assert mail.outbox == []
    # while a message (a family he turned on, off by default) is copied
    message = {
        **params,
        "message_id": 5,
        "author_id": 1,
        "author_name": "Dr. Able",
        "text": "See you soon",
        "created_at": "2026-12-30T10:00:00+00:00",
    }
    _notify(clinic, django_capture_on_commit_callbacks, [ned], APPOINTMENT_MESSAGE, message)
    [copy] = mail.outbox
    assert copy.to == [ned.email] and "See you soon" in str(copy.body)


def test_messages_are_in_app_only_by_default(
    clinic: Tenant, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    dentist = make_user(clinic, Role.DENTIST)
    mail.outbox.clear()
    message = {
        "appointment_id": 1,
        "state": "confirmed",
        "starts_at": "2026-12-31T15:00:00+00:00",
        "ends_at": "2026-12-31T15:30:00+00:00",
        "dentist_id": dentist.pk,
        "dentist_name": "Dr. Able",
        "type_name": "Check-up",
        "message_id": 5,
        "author_id": 99,
        "author_name": "Ned",
        "text": "Running late",
        "created_at": "2026-12-30T10:00:00+00:00",
    }
    _notify(clinic, django_capture_on_commit_callbacks, [dentist], APPOINTMENT_MESSAGE, message)
    assert mail.outbox == []
