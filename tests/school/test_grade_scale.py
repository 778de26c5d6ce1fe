"""The school's grade scale (issue #13): 0-10 passing at 6, 0-100 passing at 60, or letters;
decimals as configured. One function (school.grading.display) writes every grade and average:
the student's page, the term report and notifications (rendered when shown, so they follow the
setting). Each school has its own scale."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.models import Notification
from realtime.services import notification_payload
from school import grading
from school.models import GradeScale, GradingSettings
from school.services import grades
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_course, make_grade

pytestmark = pytest.mark.django_db

TEN, HUNDRED, LETTERS = GradeScale.TEN, GradeScale.HUNDRED, GradeScale.LETTERS


@pytest.mark.parametrize(
    ("percent", "kind", "decimals", "shown", "passes"),
    [
        ("100", TEN, 1, "10", True),
        ("87.5", TEN, 1, "8.8", True),  # 8.75 rounds half up
        ("87.5", TEN, 2, "8.75", True),
        ("87.5", TEN, 0, "9", True),
        ("82.25", TEN, 1, "8.2", True),  # 8.225 → 8.2
        ("60", TEN, 1, "6", True),  # the passing mark itself
        ("59.95", TEN, 1, "6", True),  # shown as 6: passes, as written
        ("59.94", TEN, 2, "5.99", False),
        ("45", TEN, 0, "5", False),
        ("0", TEN, 2, "0", False),
        ("87.5", HUNDRED, 0, "88", True),
        ("87.5", HUNDRED, 2, "87.5", True),
        ("82.25", HUNDRED, 1, "82.3", True),
        ("100", HUNDRED, 0, "100", True),
        ("59.5", HUNDRED, 0, "60", True),
        ("59.49", HUNDRED, 0, "59", False),
        ("100", LETTERS, 0, "A", True),
        ("90", LETTERS, 2, "A", True),
        ("89.99", LETTERS, 2, "B", True),
        ("80", LETTERS, 2, "B", True),
        ("70", LETTERS, 2, "C", True),
        ("60", LETTERS, 2, "D", True),
        ("59.99", LETTERS, 2, "F", False),
        ("0", LETTERS, 2, "F", False),
    ],
)
def test_conversions_and_rounding(
    percent: str, kind: str, decimals: int, shown: str, passes: bool
) -> None:
    scale = grading.Scale(kind=kind, decimals=decimals)
    assert grading.display(Decimal(percent), scale) == shown
    assert grading.display(percent, scale) == shown  # the JSON rows' text, too
    assert grading.passing(Decimal(percent), scale) is passes


def test_no_grade_is_a_dash_and_a_school_that_never_chose_writes_percentages(
    school: Tenant,
) -> None:
    with tenant_context(school):
        assert grading.display(None) == "—"
        assert grading.school_scale() == grading.Scale(kind=HUNDRED, decimals=2)
        assert grading.display(Decimal("74.17")) == "74.17"


def _alice_graded(people: People) -> int:
    """Alice: Quiz 17/20 (85 %) and Lab 35/50 (70 %), published: average 77.5 %."""
    course = make_course(students=[people.alice], name="Chemistry")
    quiz = make_assessment(course, title="Quiz", max_score="20")
    lab = make_assessment(course, title="Lab", max_score="50")
    make_grade(quiz, people.alice, "17", by=people.admin, published=True)
    make_grade(lab, people.alice, "35", by=people.admin, published=True)
    return course.term_id


@pytest.mark.parametrize(
    ("kind", "decimals", "quiz", "lab", "average"),
    [
        (TEN, 1, "8.5", "7", "7.8"),
        (TEN, 2, "8.5", "7", "7.75"),
        (HUNDRED, 0, "85", "70", "78"),
        (LETTERS, 0, "B", "C", "C"),
    ],
)
def test_each_scale_on_the_students_page_and_term_report(
    school: Tenant,
    school_b: Tenant,
    people: People,
    kind: str,
    decimals: int,
    quiz: str,
    lab: str,
    average: str,
) -> None:
    with tenant_context(school):
        term_id = _alice_graded(people)
        grades.grading_settings_save(scale=kind, decimals=decimals, by=people.admin)
    alice = client_for(school, people.alice)
    page = alice.get("/school/my/grades/").text
    assert f'<strong class="course-average">{average}</strong>' in page
    assert f'<strong class="term-average">{average}</strong>' in page
    assert f'<td class="num">{quiz}</td>' in page and f'<td class="num">{lab}</td>' in page
    # the fragment the page swaps in after a notification: the same server-made average
    fragment = alice.get("/school/my/grades/fragment/").text
    assert f'<strong class="course-average">{average}</strong>' in fragment
    report = alice.get(f"/school/my/terms/{term_id}/report/").text
    assert report.count(f'<th class="num">{average}</th>') == 1  # the term average
    assert f'<td class="num">{average}</td>' in report  # the course's
    # and the student's dashboard
    assert f"<strong>{average}</strong> average in" in alice.get("/school/").text
    # and the JSON state carries the same averages, already in the scale
    [term] = alice.get("/school/my/grades.json").json()["terms"]
    assert term["average"] == average and term["courses"][0]["average"] == average
    # and the second school, which chose nothing, still writes percentages
    with tenant_context(school_b):
        assert grading.school_scale() == grading.Scale()


def test_notification_bodies_follow_the_scale_when_shown(school: Tenant, people: People) -> None:
    with tenant_context(school):
        course = make_course(students=[people.alice], name="Chemistry")
        quiz = make_assessment(course, title="Quiz", max_score="20")
        grade = make_grade(quiz, people.alice, "17", by=people.admin)
        grades.grading_settings_save(scale=TEN, decimals=1, by=people.admin)
        grades.grade_publish(grade=grade, by=people.admin)
        notification = Notification.objects.get(recipient=people.alice)
        assert (
            notification_payload(notification, language="en")["data"]["body"] == "Quiz 17/20 (8.5)"
        )
        # when the school switches to letters, the stored notification reads in letters
        grades.grading_settings_save(scale=LETTERS, decimals=0, by=people.admin)
        assert notification_payload(notification, language="es")["data"]["body"] == "Quiz 17/20 (B)"


# --- the settings page -----------------------------------------------------------------------

URL = "/school/setup/grading/"


def test_the_administrator_chooses_the_scale_on_the_settings_page(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    admin = client_for(school, people.admin)
    page = admin.get(URL)
    assert page.status_code == 200
    assert "No scale chosen yet" in page.text and "Grade scale" in page.text
    # the setup checklist links it as an optional step
    assert URL in admin.get("/school/setup/").text
    answer = admin.post(URL, {"scale": "ten", "decimals": "1"})
    assert answer.status_code == 302 and answer["Location"] == URL
    page = admin.get(URL)
    assert "No scale chosen yet" not in page.text and "Grade scale saved" in page.text
    # the preview: 87.5 % is 8.8 of 10, 59.95 % shows as 6 and passes
    assert '<td class="num">8.8</td>' in page.text
    with tenant_context(school):
        assert grading.school_scale() == grading.Scale(kind=TEN, decimals=1)
    with tenant_context(school_b):
        assert not GradingSettings.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"scale": "twenty", "decimals": "1"},
        {"scale": "ten", "decimals": "3"},
        {"scale": "ten", "decimals": "-1"},
        {"scale": "ten", "decimals": "x"},
        {"scale": "", "decimals": ""},
        {},
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_saved(
    school: Tenant, people: People, data: dict[str, str]
) -> None:
    answer = client_for(school, people.admin).post(URL, data)
    assert answer.status_code == 400
    assert 'class="errorlist' in answer.text
    with tenant_context(school):
        assert not GradingSettings.objects.exists()


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.GUARDIAN])
def test_only_administrators_set_the_scale(school: Tenant, role: Role) -> None:
    user: User = make_user(school, role, name="Someone")
    client = client_for(school, user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"scale": "ten", "decimals": "1"}).status_code == 403
    with tenant_context(school):
        assert not GradingSettings.objects.exists()


def test_the_service_checks_the_actor_and_the_values(school: Tenant, people: People) -> None:
    with tenant_context(school):
        with pytest.raises(PermissionDenied):
            grades.grading_settings_save(scale=TEN, decimals=1, by=people.alice)
        bad: dict[str, Any] = {"scale": "twenty", "decimals": 5}
        with pytest.raises(ValidationError) as raised:
            grades.grading_settings_save(by=people.admin, **bad)
        assert set(raised.value.message_dict) == {"scale", "decimals"}
        assert not GradingSettings.objects.exists()
