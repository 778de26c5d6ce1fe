"""Reads for the operators' console (public schema; peeks into tenant schemas for counts)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.roles import STAFF_ROLES
from tenants.models import Tenant, TenantStatus
from tenants.selectors import customer_tenants


@dataclass(frozen=True)
class TenantRow:
    tenant: Tenant
    domains: list[str]
    users: int | None  # None while provisioning: no schema to count in yet


def tenant_user_count(*, tenant: Tenant) -> int | None:
    if tenant.status == TenantStatus.PROVISIONING:
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
class OnlinePerson:
    id: int
    name: str
    role: str
    role_label: str


def online_people(*, user_ids: list[int], staff_only: bool = True) -> list[OnlinePerson]:
    """The current schema's users among `user_ids` (from realtime.presence), for a staff page.
    Call inside the tenant's schema; ids of another schema simply find nobody here."""
    users = User.objects.filter(pk__in=user_ids, is_active=True)
    if staff_only:
        users = users.filter(role__in=STAFF_ROLES)
    return [
        OnlinePerson(id=u.pk, name=u.display_name, role=u.role, role_label=u.get_role_display())
        for u in users.order_by("role", "full_name", "email")
    ]
