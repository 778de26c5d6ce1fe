"""The publishing module: after-commit only, and never silently dropped by the calling context."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.db import transaction

from realtime.events import CONSUMER_HANDLER, send_now_rollback_unsafe, send_on_commit

GROUP = "t.school_a.u.999999"


async def _listener() -> tuple[object, str]:
    layer = get_channel_layer()
    assert layer is not None
    channel = await layer.new_channel()
    await layer.group_add(GROUP, channel)
    return layer, channel


async def test_sync_code_running_on_an_event_loop_still_publishes() -> None:
    layer, channel = await _listener()
    # e.g. a sync helper called straight from a coroutine, where async_to_sync cannot run
    send_now_rollback_unsafe(messages=[(GROUP, {"type": "tenant.suspended"})])
    message = await asyncio.wait_for(layer.receive(channel), 3)  # type: ignore[attr-defined]
    assert message["type"] == CONSUMER_HANDLER
    assert message["event"] == {"type": "tenant.suspended"}
    assert isinstance(message["sent_at"], float)


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
