from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tenants.models import DomainMixin, TenantMixin

from tenants.db import is_public_schema


class TenantKind(models.TextChoices):
    SCHOOL = "school", _("School")
    CLINIC = "clinic", _("Dental clinic")


class TenantStatus(models.TextChoices):
    # In context: a tenant is a school or a clinic ("activa", "suspendida" in Spanish).
    PROVISIONING = "provisioning", pgettext_lazy("tenant status", "Provisioning")
    ACTIVE = "active", pgettext_lazy("tenant status", "Active")
    SUSPENDED = "suspended", pgettext_lazy("tenant status", "Suspended")
    # Closed for good but kept (its schema and data stay) until an operator deletes it.
    ARCHIVED = "archived", pgettext_lazy("tenant status", "Archived")


class Tenant(TenantMixin):
    """One customer (a school or a clinic); its data lives in the schema named `schema_name`."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=TenantKind.choices)
    status = models.CharField(
        max_length=16, choices=TenantStatus.choices, default=TenantStatus.PROVISIONING
    )
    # The pre-migrated schema new tenants are cloned from; never has a domain or users.
    is_template = models.BooleanField(default=False)
    # The language of its users who chose none and of its anonymous pages when the browser
    # asks for no language we have (accounts.language).
    default_language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    currency = models.CharField(max_length=3, default="USD")
    timezone = models.CharField(max_length=64, default="UTC")
    admin_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    # Schemas are made by the provisioning service (clone, then seed), not as a save() effect.
    auto_create_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"

    @property
    def slug(self) -> str:
        return self.schema_name

    @property
    def is_active(self) -> bool:
        return self.status == TenantStatus.ACTIVE and not self.is_template

    @property
    def has_schema(self) -> bool:
        """Whether the tenant's schema exists yet (it is cloned while provisioning)."""
        return self.status != TenantStatus.PROVISIONING

    @property
    def is_public(self) -> bool:
        return is_public_schema(self.schema_name)

    @property
    def is_school(self) -> bool:
        return self.kind == TenantKind.SCHOOL

    @property
    def is_clinic(self) -> bool:
        return self.kind == TenantKind.CLINIC


class Domain(DomainMixin):
    """A host name that resolves to a tenant (or to the public site when the tenant is public)."""

    def __str__(self) -> str:
        return self.domain


class TemplateScript(models.Model):
    """The template schema's DDL as a script (tenants.schema_script), for the template state
    named by `fingerprint`; new tenants' schemas are made by replaying it."""

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    rendered_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"template script {self.fingerprint[:12]}"
