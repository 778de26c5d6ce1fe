"""Tenant helpers that tests and benchmarks share (needs Django set up)."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Tenant


def session_for(tenant: Tenant, user: User) -> str:
    """A logged-in session of `user`, saved in the tenant's schema (what login would do)."""
    engine = import_module(settings.SESSION_ENGINE)
    with tenant_context(tenant):
        session = engine.SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return str(session.session_key)


def onboard(*, slug: str, kind: str, domain: str, name: str | None = None) -> Tenant:
    """A tenant onboarded the real way (the operators' service, provisioned at once), its
    first administrator admin@<domain>. Call in the public schema."""
    from tenants.services import tenant_create, tenant_provision

    tenant = tenant_create(
        name=name or slug,
        slug=slug,
        kind=kind,
        domains=[domain],
        admin_email=f"admin@{domain}",
        provision_async=False,
    )
    tenant_provision(tenant=tenant)
    return tenant
