"""Onboarding, provisioning and a tenant's life after (status, name, deletion). Runs in the
public schema."""

import logging
import re
from collections.abc import Callable, Sequence
from zoneinfo import available_timezones

from babel.numbers import list_currencies
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from accounts.language import known_language, tenant_language
from accounts.roles import Role
from tenants.db import is_public_schema
from tenants.models import Domain, Tenant, TenantKind, TenantStatus
from tenants.progress import ProvisioningStep, progress_forget, progress_write
from tenants.schema_script import schema_create_from_template
from tenants.selectors import tenant_base_url
from tenants.tasks import enqueue_for_tenant
from tenants.tasks import provision_tenant as provision_tenant_task

logger = logging.getLogger(__name__)

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,29}$")
# Schema names PostgreSQL or the platform already uses, and names that would read as ours.
RESERVED_SLUGS = frozenset(
    {
        "public",
        "information_schema",
        "aviso",
        "aviso_template",
        "template",
        "admin",
        "api",
        "www",
        "static",
        "media",
        "mail",
        "ws",
        "operator",
        "operators",
        "postgres",
    }
)
DOMAIN_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN_PATTERN = re.compile(rf"^{DOMAIN_LABEL}(\.{DOMAIN_LABEL})+$")

ProgressCallback = Callable[[int, ProvisioningStep], None]


class OnboardingError(ValidationError):
    """A request to onboard a tenant that cannot be carried out; says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: [message]})
        self.field = field
        self.text = message

    def __str__(self) -> str:
        return f"{self.field}: {self.text}"


def _clean_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise OnboardingError(
            "slug",
            _(
                "'%(slug)s' is not a valid slug: use 3-30 lower-case letters, digits or "
                "underscores, starting with a letter."
            )
            % {"slug": slug},
        )
    if slug in RESERVED_SLUGS or slug.startswith("pg_"):
        raise OnboardingError(
            "slug", _("'%(slug)s' is reserved; choose another slug.") % {"slug": slug}
        )
    if Tenant.objects.filter(schema_name=slug).exists() or schema_exists(slug):
        raise OnboardingError(
            "slug", _("A tenant with slug '%(slug)s' already exists.") % {"slug": slug}
        )
    return slug


def _clean_domains(domains: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in domains:
        domain = raw.strip().lower().rstrip(".")
        if not domain:
            continue
        if len(domain) > 253 or not DOMAIN_PATTERN.match(domain):
            raise OnboardingError(
                "domains", _("'%(domain)s' is not a valid domain name.") % {"domain": raw}
            )
        if domain == settings.AVISO_PUBLIC_DOMAIN:
            raise OnboardingError(
                "domains", _("%(domain)s is the operators' site.") % {"domain": domain}
            )
        if Domain.objects.filter(domain=domain).exists():
            raise OnboardingError(
                "domains", _("The domain %(domain)s is already taken.") % {"domain": domain}
            )
        if domain not in cleaned:
            cleaned.append(domain)
    if not cleaned:
        raise OnboardingError("domains", _("At least one domain is required."))
    return cleaned


def _clean_kind(kind: str) -> TenantKind:
    try:
        return TenantKind(kind)
    except ValueError:
        choices = ", ".join(TenantKind.values)
        raise OnboardingError(
            "kind",
            _("Unknown kind '%(kind)s'; choose one of: %(choices)s.")
            % {"kind": kind, "choices": choices},
        ) from None


def _clean_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise OnboardingError(
            "admin_email", _("'%(email)s' is not a valid e-mail address.") % {"email": email}
        ) from None
    return email


# --- a tenant's language, currency and time zone (onboarding and the console's settings) ---


def _clean_language(code: str) -> str:
    language = known_language(code.strip().lower())
    if language is None:
        choices = ", ".join(code for code, _name in settings.LANGUAGES)
        raise OnboardingError(
            "default_language", _("Choose one of: %(choices)s.") % {"choices": choices}
        )
    return language


def _clean_currency(code: str) -> str:
    currency = code.strip().upper()
    # Three letters of ISO 4217 that CLDR knows (so amounts can be written in every language).
    if not re.fullmatch(r"[A-Z]{3}", currency) or currency not in list_currencies():
        raise OnboardingError(
            "currency", _("Give a currency as its three-letter code, such as MXN or USD.")
        )
    return currency


def _clean_time_zone(name: str) -> str:
    zone = name.strip()
    if zone not in available_timezones():
        raise OnboardingError(
            "time_zone", _("Give a time zone such as America/Mexico_City or UTC.")
        )
    return zone


def tenant_set_locale(
    *, tenant: Tenant, default_language: str, currency: str, time_zone: str
) -> Tenant:
    """Change a tenant's default language, currency and time zone (its pages follow at once;
    users who chose their own language keep it)."""
    tenant.default_language = _clean_language(default_language)
    tenant.currency = _clean_currency(currency)
    tenant.timezone = _clean_time_zone(time_zone)
    tenant.save(update_fields=["default_language", "currency", "timezone"])
    return tenant


def tenant_create(
    *,
    name: str,
    slug: str,
    kind: str,
    domains: Sequence[str],
    admin_email: str,
    default_language: str = settings.LANGUAGE_CODE,
    currency: str = "USD",
    time_zone: str = "UTC",
    provision_async: bool = True,
) -> Tenant:
    """Validate an onboarding request and register the tenant as `provisioning`.

    With provision_async the schema is made by a Celery task once this commit lands;
    otherwise the caller runs tenant_provision itself (the command does, to show progress).
    """
    name = name.strip()
    if not name:
        raise OnboardingError("name", _("A name is required."))
    cleaned_kind = _clean_kind(kind)
    cleaned_slug = _clean_slug(slug)
    cleaned_domains = _clean_domains(domains)
    cleaned_email = _clean_email(admin_email)
    cleaned_language = _clean_language(default_language)
    cleaned_currency = _clean_currency(currency)
    cleaned_zone = _clean_time_zone(time_zone)
    try:
        with transaction.atomic():
            tenant = Tenant.objects.create(
                schema_name=cleaned_slug,
                name=name,
                kind=cleaned_kind,
                admin_email=cleaned_email,
                default_language=cleaned_language,
                currency=cleaned_currency,
                timezone=cleaned_zone,
                status=TenantStatus.PROVISIONING,
            )
            for position, domain in enumerate(cleaned_domains):
                Domain.objects.create(domain=domain, tenant=tenant, is_primary=position == 0)
    except IntegrityError as exc:
        # Lost a race with a concurrent onboarding of the same slug or domain.
        raise OnboardingError(
            "slug",
            _("'%(slug)s' or one of its domains was just taken.") % {"slug": cleaned_slug},
        ) from exc
    progress_write(
        tenant_id=tenant.pk,
        slug=tenant.schema_name,
        percent=0,
        step=ProvisioningStep.QUEUED,
        state="queued",
    )
    if provision_async:
        # Provisioning runs in the public schema (the registry), whichever schema we are in.
        transaction.on_commit(
            lambda: enqueue_for_tenant(
                provision_tenant_task, schema_name=get_public_schema_name(), tenant_id=tenant.pk
            )
        )
    return tenant


def tenant_provision(*, tenant: Tenant, progress: ProgressCallback | None = None) -> Tenant:
    """Clone the template schema, set the Site, invite the first administrator, go active.

    All of it is one transaction (PostgreSQL DDL is transactional): on any failure the schema,
    the Site and the user vanish, and the tenant and its domains are deleted, so nothing
    half-made remains. The failure is kept in the progress record for the operator.
    """
    from accounts.services import user_create, user_invite

    def report(percent: int, step: ProvisioningStep) -> None:
        progress_write(
            tenant_id=tenant.pk,
            slug=tenant.schema_name,
            percent=percent,
            step=step,
            state="running" if percent < 100 else "done",
        )
        if progress:
            progress(percent, step)

    try:
        with transaction.atomic():
            report(5, ProvisioningStep.CLONING)
            schema_create_from_template(schema_name=tenant.schema_name)
            report(70, ProvisioningStep.SITE)
            with schema_context(tenant.schema_name):
                domain = tenant.domains.order_by("-is_primary").first()
                Site.objects.update_or_create(
                    pk=settings.SITE_ID,
                    defaults={"domain": domain.domain if domain else "", "name": tenant.name},
                )
                report(85, ProvisioningStep.INVITING)
                admin = user_create(
                    kind=tenant.kind,
                    email=tenant.admin_email,
                    role=Role.ADMINISTRATOR,
                    full_name=_("Administrator"),
                )
                user_invite(
                    user=admin,
                    site_name=tenant.name,
                    base_url=tenant_base_url(tenant=tenant),
                    language=tenant_language(tenant),
                )
            tenant.status = TenantStatus.ACTIVE
            tenant.status_changed_at = timezone.now()
            tenant.save(update_fields=["status", "status_changed_at"])
    except Exception as exc:
        logger.exception("provisioning %s failed", tenant.schema_name)
        with transaction.atomic():
            Tenant.objects.filter(pk=tenant.pk).delete()
        progress_write(
            tenant_id=tenant.pk,
            slug=tenant.schema_name,
            percent=100,
            step=ProvisioningStep.FAILED,
            state="failed",
            error=str(exc) or type(exc).__name__,
        )
        raise
    report(100, ProvisioningStep.READY)
    return tenant


def tenant_set_status(*, tenant: Tenant, status: TenantStatus) -> Tenant:
    """Suspend, reactivate, archive or restore a tenant (tenants.states says which moves are
    allowed from where); its pages and sockets follow at once. Its data is never touched."""
    from tenants.states import moves_from

    if tenant.is_template or tenant.is_public:
        raise ValidationError(_("The public site and the template cannot change status."))
    if not tenant.has_schema:
        raise ValidationError(_("A tenant that is still provisioning cannot change status."))
    # The registry lives in the public schema; a caller on a thread another tenant's code left
    # in its schema (database_sync_to_async shares one) must still write there.
    with schema_context(get_public_schema_name()), transaction.atomic():
        # Locked: two operators' moves from the same status cannot both pass the check.
        current = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if status not in {move.target for move in moves_from(current.status)}:
            raise ValidationError(
                _("%(name)s is %(current)s: it cannot become %(target)s.")
                % {
                    "name": current.name,
                    "current": current.get_status_display().lower(),
                    "target": TenantStatus(status).label.lower(),
                }
            )
        tenant.status = status
        tenant.status_changed_at = timezone.now()
        tenant.save(update_fields=["status", "status_changed_at"])
        from realtime.sessions import tenant_archived, tenant_registry_changed, tenant_suspended

        if status == TenantStatus.SUSPENDED:
            tenant_suspended(schema_name=tenant.schema_name)
        elif status == TenantStatus.ARCHIVED:
            tenant_archived(schema_name=tenant.schema_name)
        else:
            tenant_registry_changed()
    return tenant


def tenant_rename(*, tenant: Tenant, name: str) -> Tenant:
    """A tenant's new display name: its pages, e-mails and the console show it at once (the
    socket handshake's cached tenant rows are dropped everywhere, the Site follows)."""
    name = name.strip()
    if not name:
        raise OnboardingError("name", _("A name is required."))
    if len(name) > Tenant._meta.get_field("name").max_length:
        raise OnboardingError("name", _("The name is too long."))
    from realtime.sessions import tenant_registry_changed

    with transaction.atomic():
        tenant.name = name
        tenant.save(update_fields=["name"])
        if tenant.has_schema:
            with schema_context(tenant.schema_name):
                # E-mails sign with the Site's name.
                Site.objects.filter(pk=settings.SITE_ID).update(name=name)
        tenant_registry_changed()
    return tenant


def tenant_delete(*, tenant: Tenant, typed_name: str) -> None:
    """Delete an archived tenant for good: its schema (every row of its people and records),
    its domains and its registry row. Nothing else is touched: other schemas, the public
    schema's other rows. `typed_name` must be its exact name (the operator's confirmation)."""
    from realtime.sessions import tenant_registry_changed
    from tenants.states import can_delete

    if tenant.is_template or tenant.is_public:
        raise ValidationError(_("The public site and the template cannot be deleted."))
    if typed_name != tenant.name:
        raise ValidationError(
            _("Type the tenant's exact name, %(name)s, to delete it.") % {"name": tenant.name}
        )
    schema = tenant.schema_name
    # A slug is checked at onboarding, but this drops data: quote it, and never public.
    if is_public_schema(schema) or schema == settings.TENANT_BASE_SCHEMA:
        raise ValidationError(_("The public site and the template cannot be deleted."))
    with transaction.atomic():
        current = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if not can_delete(current.status):
            raise ValidationError(
                _("Only an archived tenant can be deleted; archive %(name)s first.")
                % {"name": current.name}
            )
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still pending in this transaction (rows written to
            # the schema earlier in it) would block the DROP: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DROP SCHEMA IF EXISTS {connection.ops.quote_name(schema)} CASCADE")
        Domain.objects.filter(tenant_id=current.pk).delete()
        # The row only: the schema is already gone (auto_drop_schema is off).
        Tenant.objects.filter(pk=current.pk).delete()
        tenant_registry_changed()
        # At once, not after commit: only a finished onboarding's record is lost if this
        # rolls back, and the console needs none for a tenant that exists.
        progress_forget(slug=schema)
    logger.info("tenant %s deleted (schema dropped)", schema)


def platform_ensure(*, public_domain: str) -> tuple[Tenant, Tenant]:
    """The public tenant (operators' site) and the pre-migrated template; idempotent."""
    public, _ = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={"name": "Aviso", "kind": TenantKind.SCHOOL, "status": TenantStatus.ACTIVE},
    )
    Domain.objects.get_or_create(
        domain=public_domain, defaults={"tenant": public, "is_primary": True}
    )
    template, _ = Tenant.objects.get_or_create(
        schema_name=settings.TENANT_BASE_SCHEMA,
        defaults={
            "name": "Template",
            "kind": TenantKind.SCHOOL,
            "is_template": True,
            "status": TenantStatus.ACTIVE,
        },
    )
    # The template is migrated like any tenant by migrate_tenants; this makes it the first time.
    template.create_schema(check_if_exists=True, verbosity=0)
    return public, template
