"""A notification type for tests and benchmarks only: loaded when the settings name this
module in AVISO_EXTRA_NOTIFICATION_MODULES (the test settings do; benchmarks set the
environment variable), never in production."""

from typing import NotRequired, TypedDict

from realtime.catalogue import NotificationType, register
from realtime.families import SYSTEM


class TestMessageParams(TypedDict):
    text: str
    detail: NotRequired[str]


# Test modules import this class; its name must not make pytest try to collect it.
TestMessageParams.__test__ = False  # type: ignore[attr-defined]


TEST_MESSAGE = register(
    NotificationType(
        type="test.message",
        params=TestMessageParams,
        audience="whoever a test or benchmark names",
        title=lambda p: p["text"],
        body=lambda p: p.get("detail", ""),
        url=lambda p: "",
        family=SYSTEM,
        # Benchmarks measure delivery: no e-mail copy task per notify.
        email_copy=False,
    )
)
