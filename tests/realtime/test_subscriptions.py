"""Topic subscriptions are authorised per user and object, and events reach subscribers only."""

from collections.abc import Mapping
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.topics import TopicDenied, register_topic, topic_publish_on_commit
from tenants.models import Tenant
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")
new_user = database_sync_to_async(make_user)


def _authorize_ledger(user: User, params: Mapping[str, Any]) -> int:
    if user.role != Role.ADMINISTRATOR:
        raise TopicDenied("only administrators watch ledgers")
    ledger = params.get("ledger")
    if not isinstance(ledger, int) or ledger not in (1, 2):
        raise TopicDenied("no such ledger")
    return ledger


register_topic(name="test.ledger", authorize=_authorize_ledger, description="tests only")


def _publish(tenant: Tenant, ledger: int, amount: int) -> None:
    with tenant_context(tenant), transaction.atomic():
        topic_publish_on_commit(
            topic="test.ledger", object_id=ledger, event={"type": "ledger.moved", "amount": amount}
        )


publish = database_sync_to_async(_publish)


async def test_authorised_subscriber_gets_events_of_that_object_only(
    school: Tenant, school_b: Tenant
) -> None:
    admin = await new_user(school, Role.ADMINISTRATOR)
    other_admin = await new_user(school_b, Role.ADMINISTRATOR)
    comm, other = await communicator(school, admin), await communicator(school_b, other_admin)
    await start(comm)
    await start(other)
    for socket in (comm, other):
        await send(socket, type="subscribe", topic="test.ledger", params={"ledger": 1}, ref="s")
        answer = await receive(socket)
        assert answer == {
            "v": 1,
            "type": "subscribed",
            "ref": "s",
            "topic": "test.ledger",
            "object_id": 1,
        }
    await publish(school, 2, 5)  # another object of the same topic
    await publish(school, 1, 10)
    event = await receive(comm)
    assert event == {
        "v": 1,
        "type": "event",
        "topic": "test.ledger",
        "object_id": 1,
        "event": {"type": "ledger.moved", "amount": 10},
    }
    assert await comm.receive_nothing(timeout=0.3)
    assert await other.receive_nothing(timeout=0.1)  # same topic and id, other tenant
    await comm.disconnect()
    await other.disconnect()


async def test_unauthorised_subscription_is_an_error_frame_not_a_crash(school: Tenant) -> None:
    student = await new_user(school, Role.STUDENT)
    comm = await communicator(school, student)
    await start(comm)
    await send(comm, type="subscribe", topic="test.ledger", params={"ledger": 1})
    error = await receive(comm)
    assert error["code"] == "forbidden" and "administrators" in error["message"]
    await publish(school, 1, 10)
    assert await comm.receive_nothing(timeout=0.3)
    await send(comm, type="ping")
    assert (await receive(comm))["type"] == "pong"
    await comm.disconnect()


async def test_unsubscribe_stops_events(school: Tenant) -> None:
    admin = await new_user(school, Role.ADMINISTRATOR)
    comm = await communicator(school, admin)
    await start(comm)
    await send(comm, type="subscribe", topic="test.ledger", params={"ledger": 2})
    await receive(comm)
    await send(comm, type="unsubscribe", topic="test.ledger", params={"object_id": 2})
    assert (await receive(comm))["type"] == "unsubscribed"
    await publish(school, 2, 1)
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()
