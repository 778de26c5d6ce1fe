"""Progress of long work a worker does for someone watching its page (a CSV import, a billing
run): how far it got, kept in the tenant's cache while it runs, and pushed at once over the
work's topic. Pushed now, not after commit: the work commits at its end (an import) or bit by
bit (a billing run), and a progress bar is no change a rollback undoes. Nothing here is the
record: pages re-read the work's row (and this progress) on load and on every reconnect."""

import logging
from typing import Any

from django.core.cache import cache

from realtime.topics import topic_publish_now_rollback_unsafe

logger = logging.getLogger(__name__)

# A job's progress outlives no job: an hour is longer than any import or run.
PROGRESS_SECONDS = 3600


def _key(topic: str, object_id: int) -> str:
    # The cache's key function adds the tenant's schema (django_tenants.cache.make_key).
    return f"progress:{topic}:{int(object_id)}"


def job_publish(*, topic: str, object_id: int, event: dict[str, Any]) -> None:
    """Best effort: watching is a convenience, the work goes on if Redis is away."""
    try:
        topic_publish_now_rollback_unsafe(topic=topic, object_id=object_id, event=event)
    except Exception:
        logger.warning("%s %s: %s not pushed", topic, object_id, event.get("type"), exc_info=True)


def job_progress_write(
    *, topic: str, object_id: int, event_type: str, done: int, total: int, **extra: int
) -> None:
    """Note and push how far the job got ("120 of 340")."""
    cache.set(_key(topic, object_id), (done, total, extra), timeout=PROGRESS_SECONDS)
    job_publish(
        topic=topic,
        object_id=object_id,
        event={"type": event_type, "done": done, "total": total, **extra},
    )


def job_progress_read(*, topic: str, object_id: int) -> tuple[int, int, dict[str, int]] | None:
    """(done, total, the extra counts) of a job running now, as its worker last wrote it."""
    value = cache.get(_key(topic, object_id))
    if not value:
        return None
    extra = value[2] if len(value) > 2 else {}
    return int(value[0]), int(value[1]), dict(extra)


def job_finished(*, topic: str, object_id: int, event: dict[str, Any]) -> None:
    """The job ended: its progress is forgotten (the row has the result) and the page told."""
    cache.delete(_key(topic, object_id))
    job_publish(topic=topic, object_id=object_id, event=event)
