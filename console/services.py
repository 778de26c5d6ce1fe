"""Writes from the operators' console beyond onboarding and status (tenants.services): a
tenant's domains, and a new invitation for its first administrator. Runs in the public schema."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, tenant_context

from accounts.models import PersonStatus, User
from realtime.sessions import tenant_registry_changed
from tenants.models import Domain, Tenant
from tenants.services import OnboardingError, _clean_domains


def _locked(tenant: Tenant) -> Tenant:
    # One domain change per tenant at a time: two removals cannot both see "another is left".
    return Tenant.objects.select_for_update().get(pk=tenant.pk)


def _sync_site(*, tenant: Tenant, primary: str) -> None:
    """Links in e-mails use the tenant's Site; it follows the primary domain."""
    if not tenant.has_schema:
        return
    with schema_context(tenant.schema_name):
        Site.objects.filter(pk=settings.SITE_ID).update(domain=primary)


def _not_theirs(*, tenant: Tenant, domain: str) -> str:
    return _("%(domain)s is not a domain of %(name)s.") % {"domain": domain, "name": tenant.name}


def tenant_domain_add(*, tenant: Tenant, domain: str) -> Domain:
    """Another host name for the tenant (not primary); refused if taken or malformed."""
    try:
        (cleaned,) = _clean_domains([domain])
    except OnboardingError as exc:
        raise ValidationError(exc.text) from None
    try:
        with transaction.atomic():
            _locked(tenant)
            return Domain.objects.create(domain=cleaned, tenant=tenant, is_primary=False)
    except IntegrityError:
        raise ValidationError(
            _("The domain %(domain)s was just taken.") % {"domain": cleaned}
        ) from None


def tenant_domain_remove(*, tenant: Tenant, domain: str) -> None:
    """Remove one of the tenant's host names; never its last. If the primary goes, the next
    one (alphabetically) becomes primary."""
    with transaction.atomic():
        _locked(tenant)
        row = Domain.objects.filter(tenant=tenant, domain=domain).first()
        if row is None:
            raise ValidationError(_not_theirs(tenant=tenant, domain=domain))
        others = Domain.objects.filter(tenant=tenant).exclude(pk=row.pk).order_by("domain")
        successor = others.first()
        if successor is None:
            raise ValidationError(
                _("%(domain)s is the only domain of %(name)s; add another first.")
                % {"domain": domain, "name": tenant.name}
            )
        row.delete()
        tenant_registry_changed()  # sockets may no longer be opened from it
        if row.is_primary:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])
            _sync_site(tenant=tenant, primary=successor.domain)


def tenant_domain_make_primary(*, tenant: Tenant, domain: str) -> Domain:
    with transaction.atomic():
        _locked(tenant)
        row = Domain.objects.filter(tenant=tenant, domain=domain).first()
        if row is None:
            raise ValidationError(_not_theirs(tenant=tenant, domain=domain))
        Domain.objects.filter(tenant=tenant).exclude(pk=row.pk).update(is_primary=False)
        row.is_primary = True
        row.save(update_fields=["is_primary"])
        _sync_site(tenant=tenant, primary=row.domain)
        tenant_registry_changed()
        return row


def tenant_first_admin_reinvite(*, tenant: Tenant) -> User:
    """E-mail the tenant's first administrator a new set-password link, while they have not
    set a password yet (invited); refused otherwise (they can reset their password)."""
    from console.selectors import tenant_first_administrator
    from people.services import person_invite

    if not tenant.is_active:
        # Its pages are closed: the link would lead to the suspended or archived page.
        raise ValidationError(
            _("%(name)s is not active: its pages are closed.") % {"name": tenant.name}
        )
    admin = tenant_first_administrator(tenant=tenant)
    if admin is None:
        raise ValidationError(_("%(name)s has no administrator.") % {"name": tenant.name})
    if admin.status != PersonStatus.INVITED:
        raise ValidationError(
            _("%(email)s has already accepted the invitation.") % {"email": admin.email}
        )
    with tenant_context(tenant), transaction.atomic():
        person_invite(person=admin, invited_by=None)
    return admin
