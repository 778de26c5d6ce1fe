from collections.abc import Iterator
from typing import NotRequired, TypedDict

import pytest

from realtime import catalogue
from realtime.catalogue import NotificationType, register
from realtime.families import SYSTEM


class ThrowawayParams(TypedDict):
    count: int
    label: str
    note: NotRequired[str | None]


@pytest.fixture
def throwaway_kind() -> Iterator[NotificationType[ThrowawayParams]]:
    """A notification type registered for one test only, with a link, removed afterwards so
    the product's catalogue (and its contract tests) never see it."""
    kind = register(
        NotificationType(
            type="test.throwaway",
            params=ThrowawayParams,
            audience="one test",
            title=lambda p: f"{p['count']} x {p['label']}",
            body=lambda p: p.get("note") or "",
            url=lambda p: f"/school/?count={p['count']}",
            family=SYSTEM,
        )
    )
    try:
        yield kind
    finally:
        catalogue._CATALOGUE.pop(kind.type, None)
    assert kind.type not in catalogue.registered_types()
