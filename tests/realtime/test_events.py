"""The publishing module: after-commit only, and never silently dropped by the calling context."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from realtime.events import send_now_rollback_unsafe, send_on_commit
from realtime.hub import redis_for_hub, tenant_channel

GROUP = "t.school_a.u.999999"


async def test_sync_code_running_on_an_event_loop_still_publishes() -> None:
    # given a process listening to the tenant's hub channel
    redis = redis_for_hub()
    pubsub = redis.pubsub()
    await pubsub.subscribe(tenant_channel("school_a"))
    assert (await pubsub.get_message(timeout=3))["type"] == "subscribe"
    # when sync code called straight from a coroutine publishes (async_to_sync cannot run here)
    send_now_rollback_unsafe(messages=[(GROUP, {"type": "tenant.suspended"})])
    # then the event arrives, stamped with when it left (commit→client latency starts there)
    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=3)
    assert message is not None
    body = json.loads(message["data"])
    assert body["m"] == [[GROUP, {"type": "tenant.suspended"}]]
    assert isinstance(body["at"], float)
    await pubsub.aclose()
    await redis.aclose()


@pytest.mark.django_db(transaction=False)
def test_nothing_is_sent_for_a_rolled_back_transaction(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                send_on_commit(messages=[(GROUP, {"type": "tenant.suspended"})])
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        send_on_commit(messages=[(GROUP, {"type": "tenant.suspended"})])
    assert len(callbacks) == 1
