"""Provisioning progress: kept in Redis (shared by web, worker and command) for an hour."""

from typing import Literal, TypedDict

from django.core.cache import cache
from django_tenants.utils import get_public_schema_name, schema_context

ProgressState = Literal["queued", "running", "done", "failed"]


class Progress(TypedDict):
    tenant_id: int
    slug: str
    percent: int
    step: str
    state: ProgressState
    error: str


def _key(slug: str) -> str:
    return f"provisioning:{slug}"


def progress_write(
    *, tenant_id: int, slug: str, percent: int, step: str, state: ProgressState, error: str = ""
) -> Progress:
    progress: Progress = {
        "tenant_id": tenant_id,
        "slug": slug,
        "percent": percent,
        "step": step,
        "state": state,
        "error": error,
    }
    # The public schema's key space, whatever schema the caller is in.
    with schema_context(get_public_schema_name()):
        cache.set(_key(slug), progress, timeout=3600)
    return progress


def progress_read(*, slug: str) -> Progress | None:
    with schema_context(get_public_schema_name()):
        value: Progress | None = cache.get(_key(slug))
        return value
