"""Reads for the operators' console (public schema; peeks into tenant schemas for counts)."""

from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Case, Count, QuerySet, Value, When
from django_tenants.utils import schema_context, tenant_context

from accounts.models import PersonStatus, User
from accounts.roles import Role, roles_for_kind
from tenants.models import Tenant
from tenants.selectors import customer_tenants


@dataclass(frozen=True)
class TenantRow:
    tenant: Tenant
    domains: list[str]
    users: int | None  # None while provisioning: no schema to count in yet


def tenant_user_count(*, tenant: Tenant) -> int | None:
    if not tenant.has_schema:
        return None
    with schema_context(tenant.schema_name):
        return User.objects.count()


def console_tenant_rows() -> list[TenantRow]:
    tenants: QuerySet[Tenant] = (
        customer_tenants().prefetch_related("domains").order_by("-created_at", "schema_name")
    )
    rows = []
    for tenant in tenants:
        domains = sorted(tenant.domains.all(), key=lambda d: (not d.is_primary, d.domain))
        rows.append(
            TenantRow(
                tenant=tenant,
                domains=[d.domain for d in domains],
                users=tenant_user_count(tenant=tenant),
            )
        )
    return rows


@dataclass(frozen=True)
class RoleCount:
    role: Role
    by_status: dict[str, int]  # PersonStatus value → people

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def tenant_people_counts(*, tenant: Tenant) -> list[RoleCount] | None:
    """A tenant's people per role of its kind and per status (invited, active, deactivated),
    in one query in its schema; None while it has no schema."""
    if not tenant.has_schema:
        return None
    # User.status in SQL: deactivated beats invited (a never-used invitation of a
    # deactivated person), and an unusable password is an invitation not yet taken up.
    status = Case(
        When(is_active=False, then=Value(PersonStatus.DEACTIVATED.value)),
        When(password__startswith=UNUSABLE_PASSWORD_PREFIX, then=Value(PersonStatus.INVITED.value)),
        default=Value(PersonStatus.ACTIVE.value),
    )
    with tenant_context(tenant):
        rows = User.objects.annotate(person_status=status).values("role", "person_status")
        found = {
            (row["role"], row["person_status"]): row["people"]
            for row in rows.annotate(people=Count("pk")).order_by()
        }
    kinds_roles = roles_for_kind(tenant.kind)
    return [
        RoleCount(
            role=role,
            by_status={s.value: found.get((role.value, s.value), 0) for s in PersonStatus},
        )
        for role in Role
        if role in kinds_roles
    ]


def tenant_first_administrator(*, tenant: Tenant) -> User | None:
    """The tenant's earliest administrator (the one onboarding invited), or None."""
    if not tenant.has_schema:
        return None
    with tenant_context(tenant):
        return User.objects.filter(role=Role.ADMINISTRATOR).order_by("date_joined", "pk").first()
