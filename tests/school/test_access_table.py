"""Who may open what, said once as a table: every URL of the school and clinic sites (from
their URL confs: tests/e2e/site_map.py) by every role of the site, the answer each gets, and
every socket topic by every role, whether it may watch. A URL or topic with no row fails, so a
new page cannot be added without saying who may see it: add one line to the table.

Each URL is asked by GET, or (a "POST" row) by POST with an empty form — what a button sends
without its fields: the role check and the object's access answer before the form is read.
Each request runs in a transaction rolled back afterwards, so no row changes the next one's
data. The people and objects are the site map's: the teacher teaches the course, the guardian
is the student's, the ids are theirs (a teacher's other courses and another family's children
are 404s: tests/school/test_teachers.py, tests/school/test_guardians.py).

An import job is watched only by whoever started it (the administrator): another people
manager gets a 404. The site map's person is an active student with grades, so resending
their invitation, reactivating or deleting them is refused (400): the rules themselves are
tested in tests/people. The site map's fee is in the catalogue, so putting it back is refused
(409); its invoice has a payment, but an empty cancel form is refused first (400: no reason).
The site map's group has no student, so the setup pages' delete button removes it (302).

Answers: 200, 400, 403 (the role may not), 404, 405, 409, "login" (a redirect to sign in),
302 (any other redirect)."""

from typing import Any

import pytest
from django.db import transaction
from django.http.response import HttpResponseBase
from django_tenants.utils import tenant_context

from accounts.models import User
from realtime.topics import TopicDenied, registered_topics, topic_authorize
from tests.e2e.site_map import ANONYMOUS, URLCONFS, Cast, Person, cast, routes
from tests.factories import client_for

pytestmark = pytest.mark.usefixtures("live_db")

COLUMNS = {
    "school": (ANONYMOUS, "administrator", "teacher", "student", "guardian"),
    "clinic": (ANONYMOUS, "administrator", "dentist", "receptionist", "patient"),
}

# One line per URL: [POST] then the answer of each column's role, in COLUMNS' order.
SCHOOL = {
    #                                      anon   admin teacher student guardian
    "home":                               "login  302   302     302     302",
    "account_login":                      "200    302   302     302     302",
    "account_logout":                     "login  200   200     200     200",
    "account_inactive":                   "200    200   200     200     200",
    "account_signup":                     "200    302   302     302     302",
    "account_reauthenticate":             "login  200   200     200     200",
    "account_email":                      "login  200   200     200     200",
    "account_email_verification_sent":    "200    200   200     200     200",
    "account_change_password":            "login  200   200     200     200",
    "account_set_password":               "login  302   302     302     302",
    "account_reset_password":             "200    200   200     200     200",
    "account_confirm_login_code":         "login  302   302     302     302",
    "account_confirm_email":              "200    200   200     200     200",
    "account_reset_password_from_key_done": "200  200   200     200     200",
    "account_reset_password_from_key":    "200    200   200     200     200",
    "account_reset_password_done":        "200    200   200     200     200",
    "realtime:inbox":                     "login  200   200     200     200",
    "realtime:mark_read":           "POST  login  400   400     400     400",
    "presence_online":                    "login  200   403     403     403",
    "javascript-catalog":                 "200    200   200     200     200",
    "set_language":                 "POST  400    400   400     400     400",
    "people:list":                        "login  200   403     403     403",
    "people:add":                         "login  200   403     403     403",
    "people:detail":                      "login  200   403     403     403",
    "people:resend":                "POST  login  400   403     403     403",
    "people:role":                  "POST  login  400   403     403     403",
    "people:deactivate":                  "login  200   403     403     403",
    "people:reactivate":            "POST  login  400   403     403     403",
    "people:delete":                      "login  400   403     403     403",
    "people:import":                      "login  200   403     403     403",
    "people:import_template":             "login  200   403     403     403",
    "people:import_preview":        "POST  login  400   403     403     403",
    "people:import_start":          "POST  login  400   403     403     403",
    "people:import_job":                  "login  200   403     403     403",
    "people:import_job_fragment":         "login  200   403     403     403",
    "people:list_csv":                    "login  200   403     403     403",
    "people:account":                     "login  200   200     200     200",
    "people:account_profile":             "login  200   200     200     200",
    "people:account_email":               "login  200   200     200     200",
    "people:account_notifications":       "login  200   200     200     200",
    "people:account_sign_out_everywhere": "login  200   200     200     200",
    "school:dashboard":                   "login  200   200     200     200",
    "school:setup":                       "login  200   403     403     403",
    "school:setup_years":                 "login  200   403     403     403",
    "school:setup_year_edit":             "login  200   403     403     403",
    "school:setup_terms":                 "login  200   403     403     403",
    "school:setup_term_edit":             "login  200   403     403     403",
    "school:setup_groups":                "login  200   403     403     403",
    "school:setup_subjects":              "login  200   403     403     403",
    "school:setup_courses":               "login  200   403     403     403",
    "school:setup_course_edit":           "login  200   403     403     403",
    "school:setup_delete":          "POST  login  302   403     403     403",
    "school:setup_enrolment":             "login  200   403     403     403",
    "school:setup_enrol_group":     "POST  login  400   403     403     403",
    "school:setup_student_group":   "POST  login  400   403     403     403",
    "school:setup_student_course":  "POST  login  400   403     403     403",
    "school:setup_grading":               "login  200   403     403     403",
    "school:courses":                     "login  200   200     403     403",
    "school:course_teachers":       "POST  login  302   403     403     403",
    "school:gradebook":                   "login  200   200     403     403",
    "school:gradebook_csv":               "login  200   200     403     403",
    "school:assessment_add":        "POST  login  400   400     403     403",
    "school:course_publish":        "POST  login  302   302     403     403",
    "school:grade_publish":         "POST  login  302   302     403     403",
    "school:term_publish":          "POST  login  302   403     403     403",
    "school:student_term_report":         "login  200   403     403     403",
    "school:groups":                      "login  200   403     403     403",
    "school:group_rename":          "POST  login  400   403     403     403",
    "school:fees":                        "login  200   403     403     403",
    "school:fee_edit":                    "login  200   403     403     403",
    "school:fee_deactivate":        "POST  login  302   403     403     403",
    "school:fee_reactivate":        "POST  login  409   403     403     403",
    "school:invoices":                    "login  200   403     403     403",
    "school:invoices_csv":                "login  200   403     403     403",
    "school:invoice_new":                 "login  200   403     403     403",
    "school:invoice_detail":              "login  200   403     403     403",
    "school:payment_record":        "POST  login  400   403     403     403",
    "school:invoice_cancel":        "POST  login  400   403     403     403",
    "school:dashboard_totals":            "login  200   403     200     200",
    "school:billing_runs":                "login  200   403     403     403",
    "school:billing_run_new":             "login  200   403     403     403",
    "school:billing_run":                 "login  200   403     403     403",
    "school:billing_run_fragment":        "login  200   403     403     403",
    "school:payments_feed":               "login  200   403     403     403",
    "school:payments_csv":                "login  200   403     403     403",
    "school:payments_feed_json":          "login  200   403     403     403",
    "school:payments_feed_fragment":      "login  200   403     403     403",
    "school:receipt":                     "login  200   403     200     200",
    "school:announcements":               "login  200   200     200     200",
    "school:announcement_new":            "login  200   200     403     403",
    "school:announcement":                "login  200   200     200     200",
    "school:announcement_reads_json":     "login  200   200     404     404",
    "school:my_grades":                   "login  403   403     200     200",
    "school:my_grades_json":              "login  403   403     200     200",
    "school:my_grades_fragment":          "login  403   403     200     200",
    "school:my_term_report":              "login  403   403     200     200",
    "school:my_invoices":                 "login  403   403     200     200",
    "school:my_balance_json":             "login  403   403     200     200",
    "school:my_invoices_fragment":        "login  403   403     200     200",
}  # fmt: skip

CLINIC = {
    #                                      anon   admin dentist recept. patient
    "home":                               "login  302   302     302     302",
    "account_login":                      "200    302   302     302     302",
    "account_logout":                     "login  200   200     200     200",
    "account_inactive":                   "200    200   200     200     200",
    "account_signup":                     "200    302   302     302     302",
    "account_reauthenticate":             "login  200   200     200     200",
    "account_email":                      "login  200   200     200     200",
    "account_email_verification_sent":    "200    200   200     200     200",
    "account_change_password":            "login  200   200     200     200",
    "account_set_password":               "login  302   302     302     302",
    "account_reset_password":             "200    200   200     200     200",
    "account_confirm_login_code":         "login  302   302     302     302",
    "account_confirm_email":              "200    200   200     200     200",
    "account_reset_password_from_key_done": "200  200   200     200     200",
    "account_reset_password_from_key":    "200    200   200     200     200",
    "account_reset_password_done":        "200    200   200     200     200",
    "realtime:inbox":                     "login  200   200     200     200",
    "realtime:mark_read":           "POST  login  400   400     400     400",
    "presence_online":                    "login  200   200     200     403",
    "javascript-catalog":                 "200    200   200     200     200",
    "set_language":                 "POST  400    400   400     400     400",
    "people:list":                        "login  200   403     200     403",
    "people:add":                         "login  200   403     200     403",
    "people:detail":                      "login  200   403     200     403",
    "people:resend":                "POST  login  400   403     400     403",
    "people:role":                  "POST  login  400   403     400     403",
    "people:deactivate":                  "login  200   403     200     403",
    "people:reactivate":            "POST  login  400   403     400     403",
    "people:delete":                      "login  400   403     400     403",
    "people:import":                      "login  200   403     200     403",
    "people:import_template":             "login  200   403     200     403",
    "people:import_preview":        "POST  login  400   403     400     403",
    "people:import_start":          "POST  login  400   403     400     403",
    "people:import_job":                  "login  200   403     404     403",
    "people:import_job_fragment":         "login  200   403     404     403",
    "people:list_csv":                    "login  200   403     200     403",
    "clinic:setup":                       "login  200   403     200     403",
    "clinic:setup_dentists":              "login  200   403     200     403",
    "clinic:setup_hours":                 "login  200   200     200     403",
    "clinic:setup_days_off":              "login  200   403     200     403",
    "clinic:setup_holidays":              "login  200   403     200     403",
    "clinic:setup_chairs":                "login  200   403     403     403",
    "clinic:setup_types":                 "login  200   403     403     403",
    "clinic:setup_settings":              "login  200   403     403     403",
    "people:account":                     "login  200   200     200     200",
    "people:account_profile":             "login  200   200     200     200",
    "people:account_email":               "login  200   200     200     200",
    "people:account_notifications":       "login  200   200     200     200",
    "people:account_sign_out_everywhere": "login  200   200     200     200",
    "clinic:dashboard":                   "login  200   200     200     200",
    "clinic:book":                        "login  403   403     403     200",
    "clinic:my_appointments":             "login  403   403     403     200",
    "clinic:appointment":                 "login  200   200     200     200",
    "clinic:message_post":          "POST  login  400   400     400     400",
    "clinic:cancel":                "POST  login  409   409     409     409",
    "clinic:confirm":               "POST  login  302   302     302     403",
    "clinic:decline":               "POST  login  302   302     302     403",
    "clinic:propose":               "POST  login  400   400     400     403",
    "clinic:accept":                "POST  login  403   403     403     409",
    "clinic:reject":                "POST  login  403   403     403     409",
    "clinic:withdraw":              "POST  login  403   403     403     302",
    "clinic:complete":              "POST  login  409   409     409     403",
    "clinic:no_show":               "POST  login  409   409     409     403",
    "clinic:schedule":                    "login  200   200     200     403",
    "clinic:schedule_data":               "login  200   200     200     403",
    "clinic:requests":                    "login  200   200     200     403",
    "clinic:inbox":                       "login  200   200     200     403",
    "clinic:inbox_data":                  "login  200   200     200     403",
    "clinic:thread_read":           "POST  login  400   400     400     403",
    "clinic:calendar_feed":               "login  403   200     403     200",
    "clinic:calendar_feed_reset":   "POST  login  403   302     403     302",
    "clinic:calendar_feed_ics":           "200    200   200     200     200",
    "clinic:waitlist":                    "login  403   403     403     200",
    "clinic:waitlist_leave":        "POST  login  403   403     403     302",
    "clinic:waitlist_offer":              "login  403   403     403     200",
    "clinic:waitlist_offer_accept": "POST  login  403   403     403     302",
    "clinic:waitlist_staff":              "login  200   200     200     403",
}  # fmt: skip

TABLES = {"school": SCHOOL, "clinic": CLINIC}

# Socket topics: who of each site may watch each registered topic (anonymous sockets are
# refused at the handshake: tests/realtime/test_handshake.py). "ok" or "-" per column.
# people.import is asked for the site map's import job, which the administrator started;
# school.announcement for the site map's announcement, which the teacher sent to the student
# and guardian (its read count is its author's and the administrators').
TOPICS = {
    #                          admin teacher student guardian
    ("school", "school.payments"):  "ok   -       -       -",
    ("school", "people.import"):    "ok   -       -       -",
    ("school", "presence"):         "ok   -       -       -",
    ("school", "clinic.schedule"):  "-    -       -       -",
    ("school", "clinic.inbox"):     "-    -       -       -",
    ("school", "school.announcement"): "ok ok     -       -",
    ("school", "school.totals"):    "ok   -       -       -",
    ("school", "school.billing_run"): "ok -       -       -",
    #                          admin dentist recept. patient
    ("clinic", "school.payments"):  "-    -       -       -",
    ("clinic", "school.announcement"): "- -       -       -",
    ("clinic", "presence"):         "ok   ok      ok      -",
    ("clinic", "people.import"):    "ok   -       -       -",
    ("clinic", "clinic.schedule"):  "ok   ok      ok      -",
    ("clinic", "clinic.inbox"):     "ok   ok      ok      -",
    ("clinic", "school.totals"):    "-    -       -       -",
    ("clinic", "school.billing_run"): "- -       -       -",
}  # fmt: skip


@pytest.fixture
def site_cast(school: Any, clinic: Any) -> Cast:
    return cast(school, clinic)


def _answer(response: HttpResponseBase) -> str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return str(response.status_code)


def _ask(person: Person, path: str, method: str) -> str:
    client = client_for(person.tenant, person.user)
    with transaction.atomic():
        response = client.post(path, {}) if method == "POST" else client.get(path)
        transaction.set_rollback(True)
    return _answer(response)


def _people(site_cast: Cast, site: str) -> list[Person]:
    by_role = {p.role: p for p in site_cast.people if p.site == site}
    assert set(by_role) == set(COLUMNS[site]), f"the {site} table's columns are not its roles"
    return [by_role[role] for role in COLUMNS[site]]


@pytest.mark.parametrize("site", ["school", "clinic"])
def test_every_url_answers_each_role_as_its_row_says(site: str, site_cast: Cast) -> None:
    table = TABLES[site]
    names = [route.name for route in routes(URLCONFS[site])]
    # every URL has its row, and every row a URL
    assert not set(names) - set(table), (
        f"no row in tests/school/test_access_table.py for {sorted(set(names) - set(table))}: "
        "say who may open it"
    )
    assert not set(table) - set(names), f"rows for no URL: {sorted(set(table) - set(names))}"
    people = _people(site_cast, site)
    wrong = []
    for route in routes(URLCONFS[site]):
        words = table[route.name].split()
        method = words.pop(0) if words[0] == "POST" else "GET"
        assert len(words) == len(people), f"{route.name}: one answer per column"
        path = site_cast.path(site, route)
        got = [_ask(person, path, method) for person in people]
        if got != words:
            wrong.append(f"{method} {route.name}: expected {words}, got {got}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("site", ["school", "clinic"])
def test_every_topic_admits_each_role_as_its_row_says(site: str, site_cast: Cast) -> None:
    # Topics some test modules register for themselves ("test.ledger") are not the product's.
    topics = sorted(t for t in registered_topics() if not t.startswith("test."))
    rows = {topic: answers for (s, topic), answers in TOPICS.items() if s == site}
    assert sorted(rows) == topics, "every registered topic needs a row per site"
    people = [p for p in _people(site_cast, site) if p.user is not None]
    # the clinic's schedule names a dentist, people.import a job: the site map's own
    job_id = site_cast.params[site]["job_id"]
    run_id = site_cast.params[site].get("run_id", job_id)  # a billing run: schools only
    dentist = next((p.user for p in site_cast.people if p.role == "dentist"), None)
    assert isinstance(dentist, User)
    wrong = []
    for topic, answers in rows.items():
        got = []
        for person in people:
            assert person.user is not None
            with tenant_context(person.tenant):
                try:
                    topic_authorize(
                        user=person.user,
                        topic=topic,
                        params={
                            "object_id": dentist.pk,
                            "job_id": job_id,
                            "announcement_id": site_cast.params[site].get("announcement_id"),
                            "run_id": run_id,
                        },
                    )
                    got.append("ok")
                except TopicDenied:
                    got.append("-")
        if got != answers.split():
            wrong.append(f"{site} {topic}: expected {answers.split()}, got {got}")
    assert not wrong, "\n".join(wrong)
