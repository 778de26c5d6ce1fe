"""Live feeds a client may subscribe to beyond its own inbox (a dentist's schedule, the
administrators' payments feed). Each app registers its topics with an authorisation check;
the client names a registered topic and gives parameters, the check turns them into the id
of an object the user may watch, and only then is a group name built (realtime.groups)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from realtime.events import TopicEvent, send_now_rollback_unsafe, send_on_commit
from realtime.groups import topic_group
from realtime.services import current_schema


class TopicDenied(Exception):
    """The user may not watch this; the message is shown to the client."""


class TopicUnknown(Exception):
    pass


# authorize(user, params) -> object id the user may watch; raises TopicDenied otherwise.
Authorizer = Callable[[User, Mapping[str, Any]], int]


@dataclass(frozen=True)
class Topic:
    name: str
    authorize: Authorizer
    description: str


_TOPICS: dict[str, Topic] = {}


def register_topic(*, name: str, authorize: Authorizer, description: str) -> None:
    topic_group(schema_name="check", topic=name, object_id=0)  # validates the name now
    _TOPICS[name] = Topic(name=name, authorize=authorize, description=description)


def registered_topics() -> dict[str, Topic]:
    return dict(_TOPICS)


def topic_authorize(*, user: User, topic: str, params: Mapping[str, Any]) -> int:
    """Sync; call inside the tenant's schema. Returns the object id the user may watch."""
    registered = _TOPICS.get(topic)
    if registered is None:
        raise TopicUnknown(topic)
    return registered.authorize(user, params)


def topic_publish_on_commit(*, topic: str, object_id: int, event: dict[str, Any]) -> None:
    """Services call this for live view updates (not durable: pages re-read on reconnect)."""
    if topic not in _TOPICS:
        raise TopicUnknown(topic)
    message: TopicEvent = {"type": "topic", "topic": topic, "object_id": object_id, "event": event}
    group = topic_group(schema_name=current_schema(), topic=topic, object_id=object_id)
    send_on_commit(messages=[(group, message)])


def topic_publish_now_rollback_unsafe(*, topic: str, object_id: int, event: dict[str, Any]) -> None:
    """Send at once, inside an open transaction too: for progress of long work whose changes
    commit only at its end (a CSV import). Never for a change a rollback could undo."""
    if topic not in _TOPICS:
        raise TopicUnknown(topic)
    message: TopicEvent = {"type": "topic", "topic": topic, "object_id": object_id, "event": event}
    group = topic_group(schema_name=current_schema(), topic=topic, object_id=object_id)
    send_now_rollback_unsafe(messages=[(group, message)])
