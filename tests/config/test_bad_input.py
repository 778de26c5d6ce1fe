"""Hostile input never answers 5xx (issue 15): every URL the school, clinic and operators'
sites serve, found from their URLconfs, gets arbitrary text (Unicode digits, huge numbers,
exponents, NaN, calendar edges, NUL, very long strings, empty, repeated keys) in every query
and form parameter it reads (tests/config/bad_input_params.py), with path ids both real and
junk, as every role, by GET and POST. Anything it cannot read is a 4xx, never a 500."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from accounts.roles import Role
from clinic.models import AppointmentState, WaitlistOffer
from clinic.services.appointments import appointment_cancel
from clinic.services.calendar import calendar_feed_token
from clinic.services.waitlist import waitlist_join
from people.models import ImportJob
from school.models import (
    AnnouncementReach,
    AnnouncementScope,
    BillingRun,
    ClassGroup,
    FeeItem,
    Guardianship,
    SchoolYear,
)
from school.selectors_announcements import Audience
from school.services.announcements import announcement_send
from school.services.invoices import payment_record
from tenants.models import Tenant
from testing.tenants import session_for
from tests.clinic.factories import make_appointment, make_clinic, slot
from tests.config.bad_input_params import (
    ACCOUNT,
    CLINIC,
    PUBLIC,
    SCHOOL,
    Reads,
    parameter_names,
)
from tests.console.factories import make_operator, public_tenant
from tests.factories import domain_of, make_user
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
BIGINT_PAST = str(2**63)
# An address the e-mail validator accepts that is longer than any e-mail column (254).
LONG_EMAIL = "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "org"
# Text Python half-reads, and text at the edges of every column and calendar.
NASTY = [
    "",
    " ",
    "\u00b2",  # superscript two: str.isdigit() but int() raises
    "\u0661\u0662",  # Arabic-Indic 12: int() reads it
    "\uff11",  # fullwidth 1
    "-1",
    "0",
    "9" * 40,
    BIGINT_PAST,
    "1e5",
    "1E+999999",
    "-1e-999999",
    "NaN",
    "sNaN",
    "Infinity",
    "-inf",
    "12,5",
    "1,234.50",
    "0.001",
    "9999999999999.99",
    "99999999999.99",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "0001-01-01T00:00+14:00",
    "9999-12-31T23:59",
    "9999-12-31T23:59-14:00",
    "2026-02-30",
    "\u0662\u0660\u0662\u0666-01-01",
    "x" * 5000,
    LONG_EMAIL,
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "all",
    "week",
    "suspend",
    "reactivate",
    "remove",
    "primary",
    "on",
    "cash",
    "open",
    "http://evil.example/",
    "//evil.example",
]
# The values every parameter of every URL gets in turn (the property test draws from NASTY):
# one of each kind of trouble, to keep the sweep within CI's time.
SWEEP = [
    "",
    "\u00b2",
    "\u0661\u0662",
    "-1",
    "9" * 40,
    BIGINT_PAST,
    "1E+999999",
    "NaN",
    "-inf",
    "12,5",
    "0.001",
    "9999999999999.99",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00+14:00",
    "9999-12-31T23:59-14:00",
    "x" * 5000,
    LONG_EMAIL,
    "a\x00b",
    "all",
    "week",
    "remove",
    "http://evil.example/",
]


# Answers that come before a view reads its parameters: sign in first, role or method refused.
REFUSED = {401, 403, 405}


@dataclass(frozen=True)
class Route:
    name: str
    args: tuple[str, ...]


@dataclass
class Site:
    """One host of the product: its URLconf, what each URL reads, its people and ids."""

    label: str
    tenant: Tenant
    urlconf: str
    reads: dict[str, Reads]
    users: dict[str, User | None]
    path_values: dict[str, list[str]]
    names: dict[str, str] = field(default_factory=dict)  # placeholders in parameter names
    sessions: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return domain_of(self.tenant)

    def routes(self) -> list[Route]:
        return list(_routes(get_resolver(self.urlconf).url_patterns, ()))

    def client(self, role: str) -> Client:
        client = Client(HTTP_HOST=self.host, enforce_csrf_checks=False)
        user = self.users[role]
        if user is not None:
            if role not in self.sessions:
                self.sessions[role] = session_for(self.tenant, user)
            cookie = SimpleCookie()
            cookie[django_settings.SESSION_COOKIE_NAME] = self.sessions[role]
            client.cookies.update(cookie)
        return client


def _routes(patterns: list[URLPattern | URLResolver], args: tuple[str, ...]) -> Iterator[Route]:
    """Every named URL under `patterns`, namespaced, with the names of its path arguments."""
    for pattern in patterns:
        own = _path_args(pattern.pattern)
        if isinstance(pattern, URLResolver):
            for route in _routes(pattern.url_patterns, args + own):
                prefix = f"{pattern.namespace}:" if pattern.namespace else ""
                yield Route(prefix + route.name, route.args)
        else:
            assert pattern.name, f"{pattern} has no name: the bad-input test cannot reach it"
            yield Route(pattern.name, args + own)


def _path_args(pattern: object) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    assert isinstance(pattern, RegexPattern), pattern
    return tuple(pattern.regex.groupindex)


def _ids(*real: int) -> list[str]:
    """Real ids first, then ids nothing has: zero, beyond bigint, beyond any column."""
    return [*(str(pk) for pk in real), "0", BIGINT_PAST, "9" * 30]


@dataclass
class World:
    sites: list[Site]

    def cases(self) -> list[tuple[Site, Route]]:
        return [(site, route) for site in self.sites for route in site.routes()]


@pytest.fixture(autouse=True)
def _no_sign_in_rate_limits(settings: Any) -> None:
    """allauth counts sign-in attempts in the cache (Redis), which no rollback undoes: this
    test's hundreds of attempts would lock the next tests' users out (and a 429 would stop
    the pages before they read anything)."""
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.fixture
def world(school: Tenant, clinic: Tenant, school_b: Tenant) -> World:
    """A small seeded school and clinic (every row a URL can name) and an operator."""
    admin = make_user(school, Role.ADMINISTRATOR)
    student = make_user(school, Role.STUDENT)
    with tenant_context(school):
        course = make_course(students=[student])
        assessment = make_assessment(course)
        grade = make_grade(assessment, student, "50", by=admin)
        fee = FeeItem.objects.create(name="Tuition", amount=Decimal("100.00"))
        invoice = make_invoice(student, by=admin)
        payment = payment_record(invoice=invoice, amount="10", method="cash", by=admin)
        year = SchoolYear.objects.create(
            name="2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
        )
        group = ClassGroup.objects.create(name="1° A")
    teacher = make_user(school, Role.TEACHER)
    guardian = make_user(school, Role.GUARDIAN)
    with tenant_context(school):
        course.teachers.add(teacher)
        Guardianship.objects.create(guardian=guardian, student=student)
    with tenant_context(school):
        import_job = ImportJob.objects.create(created_by=admin, file_name="p.csv", content="")
        billing_run = BillingRun.objects.create(
            fee=fee, group=group, due_on=date(2099, 1, 1), description="Tuition",
            amount=fee.amount, created_by=admin,
        )  # fmt: skip
        # The teacher's announcement to their course (its page, and its read count).
        announcement = announcement_send(
            author=teacher,
            title="Field trip",
            body="Bring lunch.",
            audience=Audience(scope=AnnouncementScope.COURSE, course=course),
            reach=AnnouncementReach.EVERYONE,
        )
    with tenant_context(clinic):
        c = make_clinic(clinic)
        clinic_job = ImportJob.objects.create(created_by=c.admin, file_name="p.csv", content="")
        requested = make_appointment(c, state=AppointmentState.REQUESTED, starts_at=slot(days=3))
        confirmed = make_appointment(c, starts_at=slot(days=4))
        feed_token = calendar_feed_token(user=c.patient)
        # The waitlist (#14): the patient waits, and a cancelled time is offered to them.
        entry = waitlist_join(
            patient=c.patient,
            dentist=c.dentist,
            appointment_type=c.checkup,
            weekdays=list(range(7)),
            periods=["morning", "afternoon", "evening"],
            until=slot(days=10).date(),
        )
        freed = make_appointment(c, starts_at=slot(days=5), patient=c.patient2)
        appointment_cancel(appointment=freed, by=c.receptionist)
        offer = WaitlistOffer.objects.get(entry=entry)
    account_paths = {
        "key": ["abc:def", "x" * 300],
        "uidb36": ["1", "z" * 40],
    }
    school_site = Site(
        label="school",
        tenant=school,
        urlconf="config.urls_school",
        reads=SCHOOL,
        users={
            ANONYMOUS: None,
            "administrator": admin,
            "student": student,
            "teacher": teacher,
            "guardian": guardian,
        },
        path_values={
            **account_paths,
            "course_id": _ids(course.pk),
            "grade_id": _ids(grade.pk),
            "term_id": _ids(course.term_id),
            "student_id": _ids(student.pk, admin.pk),
            "invoice_id": _ids(invoice.pk),
            "payment_id": _ids(payment.pk),
            "fee_id": _ids(fee.pk),
            "year_id": _ids(year.pk),
            "group_id": _ids(group.pk),
            "person_id": _ids(student.pk, admin.pk),
            "job_id": _ids(import_job.pk),
            "run_id": _ids(billing_run.pk),
            # the setup pages' delete button: the graded course and its term are refused (409)
            "kind": ["courses", "terms", "nothing", "k" * 300],
            "object_id": _ids(course.pk, course.term_id),
            "announcement_id": _ids(announcement.pk),
        },
        names={"assessment": str(assessment.pk), "student": str(student.pk)},
    )
    clinic_site = Site(
        label="clinic",
        tenant=clinic,
        urlconf="config.urls_clinic",
        reads=CLINIC,
        users={
            ANONYMOUS: None,
            "administrator": c.admin,
            "dentist": c.dentist,
            "receptionist": c.receptionist,
            "patient": c.patient,
        },
        path_values={
            **account_paths,
            "pk": _ids(requested.pk, confirmed.pk),
            "person_id": _ids(c.patient.pk, c.admin.pk),
            "job_id": _ids(clinic_job.pk),
            "dentist_id": _ids(c.dentist.pk, c.patient.pk),
            "entry_id": _ids(entry.pk),
            "offer_id": _ids(offer.pk),
            # the patient's private calendar feed: its real token, then made-up ones
            "token": [feed_token, "nope", "t" * 500, "%00"],
        },
    )
    public_site = Site(
        label="public",
        tenant=public_tenant(),
        urlconf="config.urls_public",
        reads=PUBLIC,
        users={ANONYMOUS: None, "operator": make_operator()},
        # The second school: an operator's hostile suspension or domain change of it touches
        # nothing the tenant sites above serve.
        path_values={**account_paths, "slug": [school_b.schema_name, "nobody", "s" * 300]},
    )
    return World(sites=[school_site, clinic_site, public_site])


def _send(
    site: Site, route: Route, role: str, method: str, path_args: dict[str, str], params: dict
) -> int:
    path = reverse(route.name, urlconf=site.urlconf, kwargs=path_args or None)
    client = site.client(role)
    response = client.get(path, params) if method == "GET" else client.post(path, params)
    assert response.status_code < 500, (
        f"{method} {site.label} {path} as {role} with {params!r}: {response.status_code}"
    )
    if route.name == "account_logout":
        site.sessions.pop(role, None)  # the session is gone; sign in afresh next time
    if route.name == "people:account_sign_out_everywhere" and method == "POST":
        # Every session of the user is gone (their sessions epoch moved): sign in afresh.
        site.sessions.pop(role, None)
        user = site.users[role]
        if user is not None:
            with tenant_context(site.tenant):
                user.refresh_from_db()
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return 401  # sent to sign in: the view never read its parameters
    return response.status_code


def _account_roles(site: Site) -> list[str]:
    """Anonymous and one signed-in role."""
    return list(site.users)[:2]


def _names(site: Site, route: Route) -> list[str]:
    return [name.format(**site.names) for name in parameter_names(site.reads[route.name])]


def test_every_url_says_what_it_reads(world: World) -> None:
    # given every URL each site serves
    # then each is listed with the parameters it reads, and each path argument has values
    for site, route in world.cases():
        assert route.name in site.reads, (
            f"{site.label} URL {route.name!r} is missing from tests/config/bad_input_params.py"
        )
        for arg in route.args:
            assert arg in site.path_values, f"no values for path argument {arg!r} of {route.name}"


# Thousands of requests (every URL, role, method and hostile value): it grows with the product,
# and on a loaded 2-core machine it outgrew the default two minutes.
@pytest.mark.timeout(600)
def test_every_url_role_and_method_survives_every_hostile_value(world: World) -> None:
    # given every URL, as every role, by GET and by POST, with real path ids
    for site, route in world.cases():
        path_args = {arg: site.path_values[arg][0] for arg in route.args}
        names = _names(site, route)
        for role in site.users:
            for method in ("GET", "POST"):
                # when it is asked with nothing, and (if the role and method reach the view)
                # with every hostile value in every parameter it reads, in a rotating mix
                if _send(site, route, role, method, path_args, {}) in REFUSED or not names:
                    continue
                if route.name in ACCOUNT and role not in _account_roles(site):
                    continue  # allauth's pages do not depend on the tenant role (and are slow)
                for shift in range(len(SWEEP)):
                    params = {
                        name: SWEEP[(shift + offset) % len(SWEEP)]
                        for offset, name in enumerate(names)
                    }
                    # then the answer is never a 5xx
                    _send(site, route, role, method, path_args, params)


VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda moment: moment.isoformat()),
)


@settings(
    max_examples=800,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_arbitrary_input_never_answers_5xx(world: World, data: st.DataObject) -> None:
    # given any URL of any site, its path filled with real or junk ids, as any role
    site, route = data.draw(st.sampled_from(world.cases()), label="url")
    path_args = {arg: data.draw(st.sampled_from(site.path_values[arg])) for arg in route.args}
    role = data.draw(st.sampled_from(sorted(site.users)), label="role")
    method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
    # when any of the parameters it reads carry arbitrary text, some of them repeated
    params = {
        name: data.draw(st.lists(VALUES, min_size=1, max_size=3), label=name)
        for name in _names(site, route)
        if data.draw(st.booleans())
    }
    # then the answer is never a 5xx
    _send(site, route, role, method, path_args, params)


def test_a_valid_looking_e_mail_longer_than_its_column_is_a_form_error(world: World) -> None:
    # given an operator, and an address the e-mail validator accepts but no column holds
    site = world.sites[2]
    assert len(LONG_EMAIL) > 254
    # when they onboard a tenant with it
    response = site.client("operator").post(
        "/tenants/new/",
        {
            "name": "Gamma School",
            "slug": "gamma_school",
            "kind": "school",
            "domains": "gamma-school.test",
            "admin_email": LONG_EMAIL,
        },
    )
    # then the form says so and nothing is made
    assert response.status_code == 400
    assert "admin_email" in response.context["form"].errors
    assert not Tenant.objects.filter(schema_name="gamma_school").exists()


def test_an_unreadable_query_gets_the_400_page_naming_the_parameter(world: World) -> None:
    # given a receptionist of the clinic
    clinic_site = world.sites[1]
    client = clinic_site.client("receptionist")
    # when the schedule is asked for the calendar's last day, or a dentist in Unicode digits
    last_day = client.get("/clinic/schedule/", {"date": "9999-12-31", "view": "week"})
    unicode_id = client.get("/clinic/schedule/data/", {"dentist": "\u0661"})
    # then the page says which parameter it could not read, and the JSON endpoint too
    assert last_day.status_code == 400
    assert "We could not read that request" in last_day.text and "date:" in last_day.text
    assert unicode_id.status_code == 400
    assert unicode_id.json()["error"] == "bad_input"
    assert unicode_id.json()["problems"][0].startswith("dentist:")


def test_djangos_own_400_renders_the_same_page_without_a_request_context(world: World) -> None:
    # given a form post with more fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS)
    fields = {f"f{i}": "x" for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    # when it is sent to any page
    response = world.sites[0].client("administrator").post("/school/fees/", fields)
    # then Django's own 400 handler renders templates/400.html
    assert response.status_code == 400
    assert "We could not read that request" in response.text
