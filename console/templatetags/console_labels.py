"""The words the console's scripts show for the codes the operators' socket sends (a tenant's
status and kind, a provisioning step), in the page's language: the frames carry codes, the
labels are defined once (tenants.models, tenants.progress) and the page hands them to its
scripts (static/console/figures.js, avisoFigures.label)."""

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from tenants.models import TenantKind, TenantStatus
from tenants.progress import ProvisioningStep

register = template.Library()


@register.simple_tag
def console_labels() -> SafeString:
    labels = {
        "status": dict(TenantStatus.choices),
        "kind": dict(TenantKind.choices),
        "step": dict(ProvisioningStep.choices),
    }
    return json_script(labels, "console-labels")
