"""Demo tenants for local runs: one school, one clinic, a user per role, known passwords."""

from dataclasses import dataclass
from importlib import import_module

from django.db import transaction
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from tenants.models import Tenant
from tenants.services import tenant_create, tenant_provision

DEMO_PASSWORD = "aviso-demo-2026"  # noqa: S105 (published demo login, local runs only)


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    kind: str
    domain: str
    users: tuple[tuple[str, Role, str], ...]  # (email, role, full name)


DEMO_TENANTS = (
    DemoTenant(
        slug="springfield",
        name="Springfield High",
        kind="school",
        domain="springfield.localhost",
        users=(
            ("admin@springfield.localhost", Role.ADMINISTRATOR, "Edna Krabappel"),
            ("lisa@springfield.localhost", Role.STUDENT, "Lisa Simpson"),
            ("bart@springfield.localhost", Role.STUDENT, "Bart Simpson"),
            ("largo@springfield.localhost", Role.TEACHER, "Dewey Largo"),
            ("marge@springfield.localhost", Role.GUARDIAN, "Marge Simpson"),
        ),
    ),
    DemoTenant(
        slug="brightsmile",
        name="Bright Smile Dental",
        kind="clinic",
        domain="brightsmile.localhost",
        users=(
            ("admin@brightsmile.localhost", Role.ADMINISTRATOR, "Clinic Admin"),
            ("dr.wolfe@brightsmile.localhost", Role.DENTIST, "Dr. Wolfe"),
            ("dr.oz@brightsmile.localhost", Role.DENTIST, "Dr. Ozawa"),
            ("desk@brightsmile.localhost", Role.RECEPTIONIST, "Front Desk"),
            ("ned@brightsmile.localhost", Role.PATIENT, "Ned Flanders"),
            ("moe@brightsmile.localhost", Role.PATIENT, "Moe Szyslak"),
        ),
    ),
)

OPERATOR_EMAIL = "operator@aviso.localhost"


def demo_operator_ensure() -> User:
    user = User.objects.filter(email=OPERATOR_EMAIL).first()
    if user is None:
        user = User.objects.create_superuser(OPERATOR_EMAIL, DEMO_PASSWORD, full_name="Operator")
    return user


def demo_tenant_ensure(demo: DemoTenant) -> Tenant:
    tenant = Tenant.objects.filter(schema_name=demo.slug).first()
    if tenant is None:
        tenant = tenant_create(
            name=demo.name,
            slug=demo.slug,
            kind=demo.kind,
            domains=[demo.domain],
            admin_email=demo.users[0][0],
            provision_async=False,
        )
        tenant_provision(tenant=tenant)
    with tenant_context(tenant), transaction.atomic():
        for email, role, full_name in demo.users:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = user_create(kind=tenant.kind, email=email, role=role, full_name=full_name)
            if not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        # Each kind's app seeds its own demo records (courses, schedules, ...), idempotently.
        seeder = import_module(f"{demo.kind}.demo")
        seeder.demo_seed(tenant=tenant)
    return tenant
