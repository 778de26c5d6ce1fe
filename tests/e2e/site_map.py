"""Every URL of every site, and a person of every role to open them with: the pages come from
the URL confs and the roles from accounts.roles, so a new page or role is visited without
anyone remembering to add it here. A URL that needs an object id gets one from the little
data made below; a URL parameter this file has no value for fails the test that uses it."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import ROLES_BY_KIND, Role
from clinic.models import AppointmentState, WaitlistOffer
from clinic.services.appointments import appointment_decline, appointment_request
from clinic.services.calendar import calendar_feed_token
from clinic.services.messages import appointment_message_post
from clinic.services.setup import day_off_add, holiday_add
from clinic.services.waitlist import waitlist_join
from people.models import ImportJob
from school.clock import tenant_today
from school.models import (
    AnnouncementReach,
    AnnouncementScope,
    BillingRun,
    ClassGroup,
    Guardianship,
    SchoolYear,
)
from school.selectors_announcements import Audience
from school.services.announcements import announcement_send
from school.services.grades import grade_publish
from school.services.invoices import fee_create, payment_record
from tenants.middleware import URLCONF_BY_KIND
from tenants.models import Tenant
from tests.clinic.factories import make_appointment, make_clinic, slot
from tests.conftest import PUBLIC_DOMAIN
from tests.console.factories import make_operator, public_tenant
from tests.e2e.data import classroom, off_the_browser_thread
from tests.factories import domain_of, make_user
from tests.school.factories import make_invoice

# The sites, as requests find their URLs: one per tenant kind, and the operators' console.
URLCONFS = {**URLCONF_BY_KIND, "console": settings.PUBLIC_SCHEMA_URLCONF}
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Route:
    name: str  # "school:gradebook"
    params: tuple[str, ...]  # the URL's parameters, by name


def routes(urlconf: str) -> list[Route]:
    """Every named URL of a URL conf (include()s followed, namespaces kept)."""
    found: list[Route] = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = p.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                walk(p.url_patterns, ns)
                continue
            assert isinstance(p, URLPattern)
            assert p.name, f"{p.pattern} has no name: every URL needs one to be visited"
            name = f"{namespace}:{p.name}" if namespace else p.name
            found.append(Route(name, tuple(p.pattern.regex.groupindex)))

    walk(get_resolver(urlconf).url_patterns, None)
    return found


@dataclass
class Person:
    site: str  # "school", "clinic" or "console"
    role: str  # a Role value, or ANONYMOUS
    tenant: Tenant
    host: str
    user: User | None

    @property
    def label(self) -> str:
        return f"{self.site}-{self.role}"


@dataclass
class Cast:
    """The people, and the value of each URL parameter on each site."""

    people: list[Person]
    params: dict[str, dict[str, object]] = field(default_factory=dict)

    def path(self, site: str, route: Route) -> str:
        missing = [p for p in route.params if p not in self.params[site]]
        assert not missing, (
            f"{route.name} needs {missing}: give tests/e2e/site_map.py's data one "
            "so that the page is visited"
        )
        kwargs = {p: self.params[site][p] for p in route.params}
        return reverse(route.name, urlconf=URLCONFS[site], kwargs=kwargs)


# Links that arrive by e-mail with a key: any key shows the page a person with a stale link sees.
LINK_KEYS = {"key": "stale-key", "uidb36": "1"}


@off_the_browser_thread
def cast(school: Tenant, clinic: Tenant) -> Cast:
    """A little of everything on a freshly onboarded school and clinic, one person per role."""
    users: dict[tuple[str, str], User] = {}
    params: dict[str, dict[str, object]] = {}

    room = classroom(school, drafts=2)
    users["school", Role.ADMINISTRATOR] = room.admin
    users["school", Role.STUDENT] = room.student
    # A teacher of the course and the student's guardian (what each may open is theirs to
    # show: tests/school/test_access_table.py).
    users["school", Role.TEACHER] = make_user(school, Role.TEACHER, name="Tomas Teacher")
    users["school", Role.GUARDIAN] = make_user(school, Role.GUARDIAN, name="Gloria Guardian")
    with tenant_context(school):
        room.course.teachers.add(users["school", Role.TEACHER])
        Guardianship.objects.create(guardian=users["school", Role.GUARDIAN], student=room.student)
        grade_publish(grade=room.drafts[0], by=room.admin)  # a notification in the inbox
        draft = room.drafts[1]
        group = ClassGroup.objects.create(name="1° A")
        fee = fee_create(name="Laboratory", amount="350.00")
        year = SchoolYear.objects.create(
            name="This year",
            starts_on=room.course.term.starts_on,
            ends_on=room.course.term.ends_on,
        )
        invoice = make_invoice(room.student, by=room.admin, amount="1500.50")
        payment = payment_record(invoice=invoice, amount="500", method="cash", by=room.admin)
        make_invoice(
            room.student,
            by=room.admin,
            description="Library fine",
            due_on=tenant_today() - timedelta(days=3),
        )
    with tenant_context(school):
        # The teacher's announcement to their course: the student and guardian received it.
        announcement = announcement_send(
            author=users["school", Role.TEACHER],
            title="Field trip",
            body="Bring lunch.",
            audience=Audience(scope=AnnouncementScope.COURSE, course=room.course),
            reach=AnnouncementReach.EVERYONE,
        )
    with tenant_context(school):
        school_job = ImportJob.objects.create(
            created_by=room.admin, file_name="people.csv", content="", row_count=3
        )
        # A billing run that has not run yet (its page shows the progress bar), of a group
        # of its own (the site map's group is the one the setup pages may delete).
        billed = ClassGroup.objects.create(name="1° B")
        billing_run = BillingRun.objects.create(
            fee=fee, group=billed, due_on=tenant_today(), description=fee.name,
            amount=fee.amount, created_by=room.admin,
        )  # fmt: skip
    params["school"] = {
        "job_id": school_job.pk,
        "course_id": room.course.pk,
        "term_id": room.course.term_id,
        "student_id": room.student.pk,
        "grade_id": draft.pk,
        "invoice_id": invoice.pk,
        "payment_id": payment.pk,
        "fee_id": fee.pk,
        "year_id": year.pk,
        "group_id": group.pk,
        "run_id": billing_run.pk,
        "kind": "groups",  # the setup pages' delete button (school:setup_delete)
        "object_id": group.pk,
        "person_id": room.student.pk,  # the people pages (people-pages)
        "announcement_id": announcement.pk,
    }

    with tenant_context(clinic):
        c = make_clinic(clinic)
        requested = appointment_request(
            patient=c.patient,
            dentist=c.dentist,
            appointment_type=c.checkup,
            starts_at=slot(days=2, hour=10),
            note="A tooth hurts when I drink cold water",
        )
        appointment_message_post(appointment=requested, author=c.patient, body="Is 10:00 ok?")
        appointment_message_post(appointment=requested, author=c.receptionist, body="Yes.")
        make_appointment(c, starts_at=slot(days=0, hour=9), state=AppointmentState.CONFIRMED)
        # The setup pages' lists (#14): a day off and a clinic holiday ahead.
        day_off_add(dentist=c.dentist2, day=slot(days=5).date(), reason="Course")
        holiday_add(day=slot(days=6).date(), name="Founders' day")
        # The patient's calendar feed (#14): its token opens it for anyone who holds it.
        feed_token = calendar_feed_token(user=c.patient)
        # The waitlist pages (#14): the patient waits, and a declined request frees a time
        # that is offered to them.
        entry = waitlist_join(
            patient=c.patient,
            dentist=c.dentist,
            appointment_type=c.checkup,
            weekdays=list(range(7)),
            periods=["morning", "afternoon", "evening"],
            until=slot(days=10).date(),
        )
        freed = appointment_request(
            patient=c.patient2, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot(3, 11)
        )
        appointment_decline(appointment=freed, by=c.receptionist)
        offer = WaitlistOffer.objects.get(entry=entry)
    users["clinic", Role.ADMINISTRATOR] = c.admin
    users["clinic", Role.DENTIST] = c.dentist
    users["clinic", Role.RECEPTIONIST] = c.receptionist
    users["clinic", Role.PATIENT] = c.patient
    with tenant_context(clinic):
        clinic_job = ImportJob.objects.create(
            created_by=c.admin, file_name="people.csv", content="", row_count=3
        )
    params["clinic"] = {
        "pk": requested.pk,
        "person_id": c.patient.pk,
        "job_id": clinic_job.pk,
        "dentist_id": c.dentist.pk,
        "token": feed_token,
        "entry_id": entry.pk,
        "offer_id": offer.pk,
    }

    users["console", Role.OPERATOR] = make_operator()
    params["console"] = {"slug": school.schema_name}
    for site_params in params.values():
        site_params.update(LINK_KEYS)

    roles = {**{kind: sorted(r) for kind, r in ROLES_BY_KIND.items()}, "console": [Role.OPERATOR]}
    tenants = {"school": school, "clinic": clinic, "console": public_tenant()}
    people = []
    for site, site_roles in roles.items():
        tenant = tenants[site]
        host = PUBLIC_DOMAIN if site == "console" else domain_of(tenant)
        people.append(Person(site, ANONYMOUS, tenant, host, None))
        for role in site_roles:
            user = users.get((site, role))
            assert user is not None, f"tests/e2e/site_map.py makes no {role} of a {site}"
            people.append(Person(site, str(role), tenant, host, user))
    return Cast(people, params)


def has_language_field() -> bool:
    return any(f.name == "language" for f in User._meta.get_fields())


@off_the_browser_thread
def speak(people: list[Person], language: str) -> None:
    """Each signed-in person reads `language` (once users choose theirs; before, the browser's
    Accept-Language is all there is)."""
    if not has_language_field():
        return
    for person in people:
        if person.user is None:
            continue
        with tenant_context(person.tenant):
            User.objects.filter(pk=person.user.pk).update(language=language)
