"""The gate both sockets (tenants' and operators') put in front of every client frame."""

import json

from django.test import override_settings

from realtime.protocol import MAX_FRAME_BYTES
from realtime.ratelimit import FrameGate


def _code(frame: str | None) -> str | None:
    return json.loads(frame)["code"] if frame else None


def test_the_size_limit_is_in_bytes_not_characters() -> None:
    gate = FrameGate()
    assert gate.check("x" * (MAX_FRAME_BYTES - 10)) is None
    refusal = gate.check("€" * 30_000)  # 30,000 characters, 90,000 bytes
    assert refusal is not None and refusal.close_code == 4413
    assert _code(refusal.error) == "too_large" and refusal.metric == "ws.oversized"


def test_binary_frames_are_refused_without_closing() -> None:
    refusal = FrameGate().check(None)
    assert refusal is not None and _code(refusal.error) == "unsupported"
    assert refusal.close_code is None


@override_settings(AVISO_WS_RATE_BURST=3, AVISO_WS_RATE_PER_SECOND=0.001, AVISO_WS_FLOOD_STRIKES=12)
def test_a_flood_is_told_once_then_every_tenth_time_then_closed() -> None:
    gate = FrameGate()
    assert [gate.check("{}") for _ in range(3)] == [None, None, None]
    refusals = [gate.check("{}") for _ in range(12)]
    assert all(r is not None and r.metric == "ws.rate_limited" for r in refusals)
    spoken = [i + 1 for i, r in enumerate(refusals) if r and r.error]
    assert spoken == [1, 10]
    assert [r.close_code for r in refusals if r][-1] == 4429
    assert all(r.close_code is None for r in refusals[:-1] if r)
