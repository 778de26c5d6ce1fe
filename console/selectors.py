"""Reads for the operators' console (public schema; peeks into tenant schemas for counts)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django_tenants.utils import schema_context

from accounts.models import User
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
