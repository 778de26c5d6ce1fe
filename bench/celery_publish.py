"""The task bench/compare.py's Celery phase runs on a real `celery worker` (started with
`--include bench.celery_publish`): one notification through the same helper the benchmark's
in-process publisher uses (bench.harness.publish: `notify` in its own transaction, live copy
after commit), as a reminder or a billing run would publish from a worker."""

import time
from typing import Any

from config.celery import app


@app.task(name="bench.publish_one")
def publish_one(plan: dict[str, Any], title: str) -> list[float]:
    """Notify `plan`'s user; returns [seq, commit time, when the task started] for the
    benchmark's clock (the same machine's)."""
    from bench.harness import publish

    started_at = time.time()
    ((_, seq), committed_at), *_ = publish([plan], [0], title).items()
    return [seq, committed_at, started_at]
