"""Reads of the tenant registry (public schema)."""

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.db import current_schema_name
from tenants.models import Domain, Tenant, TenantKind, TenantStatus


def host_to_domain(host: str) -> str:
    """The Domain row key for a Host header value: lower case, no port, no trailing dot."""
    hostname = host.strip().lower()
    if hostname.startswith("["):  # IPv6 literal: [::1]:8000
        return hostname.split("]")[0] + "]"
    return hostname.split(":")[0].rstrip(".")


def tenant_for_host(*, host: str) -> Tenant | None:
    """The tenant a Host header names, or None. Includes the public tenant and inactive ones."""
    with schema_context(get_public_schema_name()):
        domain = Domain.objects.select_related("tenant").filter(domain=host_to_domain(host)).first()
        return domain.tenant if domain else None


def tenant_and_domains_for_host(*, host: str) -> tuple[Tenant | None, list[str]]:
    """The tenant a Host header names and all its domains, in one trip to the database
    (a socket handshake needs both, and handshakes come in storms)."""
    tenant = tenant_for_host(host=host) if host else None
    return tenant, tenant_domain_names(tenant=tenant) if tenant else []


def tenant_domain_names(*, tenant: Tenant) -> list[str]:
    with schema_context(get_public_schema_name()):
        return list(
            Domain.objects.filter(tenant=tenant)
            .order_by("-is_primary", "domain")
            .values_list("domain", flat=True)
        )


def tenant_primary_domain(*, tenant: Tenant) -> str | None:
    names = tenant_domain_names(tenant=tenant)
    return names[0] if names else None


def tenant_base_url(*, tenant: Tenant) -> str:
    """Absolute base URL of a tenant's primary domain, for links in e-mails."""
    domain = tenant_primary_domain(tenant=tenant) or settings.AVISO_PUBLIC_DOMAIN
    port = f":{settings.AVISO_PUBLIC_PORT}" if settings.AVISO_PUBLIC_PORT else ""
    return f"{settings.AVISO_URL_SCHEME}://{domain}{port}"


def customer_tenants() -> QuerySet[Tenant]:
    """Every school and clinic: not the public site, not the template."""
    return Tenant.objects.exclude(schema_name=get_public_schema_name()).filter(is_template=False)


def active_tenants(*, kind: TenantKind | str | None = None) -> QuerySet[Tenant]:
    tenants = customer_tenants().filter(status=TenantStatus.ACTIVE)
    if kind:
        tenants = tenants.filter(kind=kind)
    return tenants


def current_tenant() -> Tenant:
    """The Tenant row of the current schema (schema_context leaves only a stand-in object)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.get(schema_name=current_schema_name())
