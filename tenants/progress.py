"""Provisioning progress: kept in Redis (shared by web, worker and command) for an hour, and
pushed to the operators' sockets as each step is written (the console never polls).

A record names its step by code (ProvisioningStep), never by sentence: each operator reads it
in their own language, on the page and in the frames their socket receives."""

import logging
from typing import Literal, TypedDict

from django.core.cache import cache
from django.db import models
from django.utils.translation import pgettext_lazy
from django_tenants.utils import get_public_schema_name, schema_context

logger = logging.getLogger(__name__)

ProgressState = Literal["queued", "running", "done", "failed"]


class ProvisioningStep(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("provisioning step", "Queued")
    CLONING = "cloning", pgettext_lazy("provisioning step", "Cloning the template schema")
    SITE = "site", pgettext_lazy("provisioning step", "Setting the site")
    INVITING = "inviting", pgettext_lazy("provisioning step", "Inviting the first administrator")
    READY = "ready", pgettext_lazy("provisioning step", "Ready")
    FAILED = "failed", pgettext_lazy("provisioning step", "Failed")


def step_label(step: str) -> str:
    """The step in the active language (a record written before steps had codes: as it is)."""
    try:
        return str(ProvisioningStep(step).label)
    except ValueError:
        return step


class Progress(TypedDict):
    tenant_id: int
    slug: str
    percent: int
    step: str  # a ProvisioningStep
    state: ProgressState
    error: str  # the exception that ended a failed provisioning, as Python wrote it


def _key(slug: str) -> str:
    return f"provisioning:{slug}"


def progress_write(
    *, tenant_id: int, slug: str, percent: int, step: str, state: ProgressState, error: str = ""
) -> Progress:
    progress: Progress = {
        "tenant_id": tenant_id,
        "slug": slug,
        "percent": percent,
        "step": str(step),  # the code: records and frames hold plain strings
        "state": state,
        "error": error,
    }
    # The public schema's key space, whatever schema the caller is in.
    with schema_context(get_public_schema_name()):
        cache.set(_key(slug), progress, timeout=3600)
    _publish(progress)
    return progress


def _publish(progress: Progress) -> None:
    """Progress is not a durable change to roll back: it leaves at once (a rolled-back
    provisioning writes its own "failed" step afterwards)."""
    from realtime.events import ProvisioningEvent, send_now_rollback_unsafe
    from realtime.groups import operators_group

    event: ProvisioningEvent = {"type": "provisioning", "progress": dict(progress)}
    try:
        send_now_rollback_unsafe(messages=[(operators_group(), event)])
    except Exception:
        # Watching is a convenience; provisioning must go on (the page re-reads on connect).
        logger.warning("provisioning progress of %s not pushed", progress["slug"], exc_info=True)


def progress_read(*, slug: str) -> Progress | None:
    with schema_context(get_public_schema_name()):
        value: Progress | None = cache.get(_key(slug))
        return value


def progress_forget(*, slug: str) -> None:
    """A deleted tenant's slug has no progress left to show (its console page is gone)."""
    with schema_context(get_public_schema_name()):
        cache.delete(_key(slug))
