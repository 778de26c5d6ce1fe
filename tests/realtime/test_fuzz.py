"""Property tests of the socket protocol (docs/realtime-protocol.md) on the full ASGI stack:
whatever a client sends (garbage, malformed or unknown frames, wrong field types, binary,
oversized frames, floods), it gets the documented answer (a reply, an error frame with the
documented code and its `ref` echoed, or the documented close), and the server goes on
serving that socket where the protocol says it stays open, and everybody else's."""

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from accounts.roles import Role
from config.asgi import application
from realtime.protocol import CLIENT_TYPES, MAX_FRAME_BYTES
from realtime.services import notify
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE, TestMessageParams
from tests.factories import make_user, session_for, ws_headers
from tests.realtime.helpers import receive as receive_within
from tests.realtime.helpers import send

pytestmark = pytest.mark.usefixtures("live_db")

FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

DOCUMENTED_ERRORS = {
    "bad_json",
    "bad_request",
    "bad_version",
    "unknown_type",
    "not_ready",
    "already_started",
    "unknown_topic",
    "forbidden",
    "too_many",
    "not_subscribed",
    "unsupported",
    "rate_limited",
    "too_large",
}
Headers = list[tuple[bytes, bytes]]
# Generous: only a failing case waits this long, and a timed-out communicator cancels its
# app, which would fail every later example of the run with a misleading CancelledError.
WAIT = 10.0


async def receive(comm: WebsocketCommunicator) -> dict[str, Any]:
    return await receive_within(comm, WAIT)


async def start(comm: WebsocketCommunicator) -> None:
    """Connect and say hello (these users have no notifications to replay)."""
    connected, code = await comm.connect(timeout=WAIT)
    assert connected, code
    await send(comm, type="hello", last_seq=0)
    assert (await receive(comm))["type"] == "ready"


def is_broadcast(frame: dict[str, Any]) -> bool:
    """An unread count sent to all the user's sockets after a mark_read commits. It may come
    before or after the answer to the next frame; unlike that direct answer it has no `ref`."""
    return frame["type"] == "unread" and "ref" not in frame


# --- the people: a fuzzing client and a well-behaved bystander ------------------------------


@dataclass
class Bystander:
    tenant: Tenant
    user: User
    comm: WebsocketCommunicator
    seen: int = 0
    pinged: float = 0.0

    async def still_served(self) -> None:
        """A new notification reaches it live, in order, and its ping is answered. It pings
        within the per-socket budget (10 a second), as a well-behaved client does."""
        if time.monotonic() - self.pinged > 0.2:
            self.pinged = time.monotonic()
            await send(self.comm, type="ping", ref="bystander")
            pong = await receive(self.comm)
            assert pong["type"] == "pong" and pong["ref"] == "bystander"
        await database_sync_to_async(_notify)(self.tenant, self.user)
        frame = await receive(self.comm)
        self.seen += 1
        assert frame["type"] == "notification" and frame["notification"]["seq"] == self.seen


def _notify(tenant: Tenant, user: User) -> None:
    with tenant_context(tenant):
        notify(recipients=[user], kind=TEST_MESSAGE, params=TestMessageParams(text="still here"))


def _signed_in(tenant: Tenant, role: Role) -> tuple[User, Headers]:
    user = make_user(tenant, role)
    return user, ws_headers(tenant, session_key=session_for(tenant, user))


signed_in = database_sync_to_async(_signed_in)


@pytest.fixture
async def fuzzer(school: Tenant) -> Headers:
    """Handshake headers of a signed-in student; each example opens a fresh socket with them."""
    _, headers = await signed_in(school, Role.STUDENT)
    return headers


@pytest.fixture
async def bystander(school: Tenant) -> AsyncIterator[Bystander]:
    user, headers = await signed_in(school, Role.STUDENT)
    comm = WebsocketCommunicator(application, "/ws/", headers=headers)
    await start(comm)
    yield Bystander(tenant=school, user=user, comm=comm)
    await comm.disconnect()


async def fresh_socket(headers: Headers, *, hello: bool) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(application, "/ws/", headers=headers)
    if hello:
        await start(comm)
    else:
        connected, code = await comm.connect(timeout=WAIT)
        assert connected, code
    return comm


async def send_text(comm: WebsocketCommunicator, text: str) -> None:
    """Any text frame, the empty one included (which send_to refuses to send)."""
    await comm.send_input({"type": "websocket.receive", "text": text})


async def still_serves(comm: WebsocketCommunicator) -> None:
    """The socket answers a ping (after any unread broadcast)."""
    await send(comm, type="ping", ref="alive?")
    frame = await answer_to_next(comm)
    assert frame["type"] == "pong" and frame["ref"] == "alive?", frame


async def answer_to_next(comm: WebsocketCommunicator) -> dict[str, Any]:
    frame = await receive(comm)
    while is_broadcast(frame):
        frame = await receive(comm)
    return frame


# --- what a client may send ------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
refs = st.none() | st.text(max_size=80) | st.integers() | json_values
not_an_int = json_values.filter(lambda v: not isinstance(v, int) or isinstance(v, bool))


def valid_ref(ref: Any) -> bool:
    """A ref the server must echo: a string of at most 64 characters or an integer."""
    return (isinstance(ref, str) and len(ref) <= 64) or (
        isinstance(ref, int) and not isinstance(ref, bool)
    )


@dataclass(frozen=True)
class Case:
    """A frame and its documented answer: an error code, or the reply's type (which depends
    on whether the socket has said hello: `started`)."""

    frame: str
    error: str | None = None
    reply: str | None = None  # for valid requests, on a socket that said hello
    reply_before_hello: str | None = None
    ref: Any = None


def _object(fields: dict[str, Any], junk: dict[str, Any], ref: Any, version: bool) -> str:
    body = {**junk, **fields}
    body.pop("ref", None)
    body.pop("v", None)
    if ref is not None:
        body["ref"] = ref
    if version:
        body["v"] = 1
    return json.dumps(body)


junk_fields = st.dictionaries(st.text(max_size=10), json_values, max_size=3)


@st.composite
def not_json(draw: st.DrawFn) -> Case:
    text = draw(
        st.text(max_size=300)
        | json_values.map(lambda v: json.dumps({"v": 1, "type": "ping", "x": v})[:-1])
        | st.just("[" * 50_000)
    )
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return Case(frame=text, error="bad_json")
    return Case(frame=json.dumps([text]), error="bad_request")


@st.composite
def not_an_object(draw: st.DrawFn) -> Case:
    value = draw(json_values.filter(lambda v: not isinstance(v, dict)))
    return Case(frame=json.dumps(value), error="bad_request")


@st.composite
def wrong_version(draw: st.DrawFn) -> Case:
    # Not 1, nor what Python compares equal to 1 (true, 1.0): see test_version_true_is_refused
    version = draw(json_values.filter(lambda v: v != 1))
    ref = draw(refs)
    kind = draw(st.sampled_from(sorted(CLIENT_TYPES)) | st.text(max_size=10))
    body = {**draw(junk_fields), "type": kind, "v": version}
    if ref is not None:
        body["ref"] = ref
    return Case(frame=json.dumps(body), error="bad_version", ref=ref)


@st.composite
def unknown_type(draw: st.DrawFn) -> Case:
    kind = draw(json_values.filter(lambda k: not (isinstance(k, str) and k in CLIENT_TYPES)))
    ref = draw(refs)
    frame = _object({"type": kind}, draw(junk_fields), ref, draw(st.booleans()))
    return Case(frame=frame, error="unknown_type", ref=ref)


@st.composite
def malformed_request(draw: st.DrawFn) -> Case:
    """A known type whose fields are missing or of the wrong type or range."""
    bad_int = not_an_int | st.integers(max_value=-1) | st.integers(min_value=2**62 + 1)
    fields = draw(
        st.one_of(
            st.fixed_dictionaries({"type": st.just("hello")}, optional={"last_seq": bad_int}),
            st.fixed_dictionaries(
                {"type": st.just("mark_read")},
                optional={"seq": bad_int | st.just(0)},
            ),
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["subscribe", "unsubscribe"]),
                    "topic": json_values.filter(lambda t: not isinstance(t, str))
                    | st.just("")
                    | st.text(min_size=65, max_size=80),
                }
            ),
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["subscribe", "unsubscribe"]),
                    "topic": st.text(min_size=1, max_size=64),
                    "params": json_values.filter(lambda p: not isinstance(p, dict)),
                }
            ),
        )
    )
    ref = draw(refs)
    frame = _object(fields, draw(junk_fields), ref, draw(st.booleans()))
    return Case(frame=frame, error="bad_request", ref=ref)


@st.composite
def valid_request(draw: st.DrawFn) -> Case:
    """Well-formed requests, sent in any state: documented replies or refusals."""
    choice = draw(st.sampled_from(["ping", "hello", "mark_read", "mark_all_read", "sub", "unsub"]))
    ref = draw(refs)
    fields: dict[str, Any]
    if choice == "ping":
        fields, reply, before = {"type": "ping"}, "pong", "pong"
    elif choice == "hello":
        last = draw(st.integers(min_value=0, max_value=2**62))
        fields, reply, before = {"type": "hello", "last_seq": last}, "already_started", "ready"
    elif choice == "mark_read":
        seq = draw(st.integers(min_value=1, max_value=2**62))
        fields, reply, before = {"type": "mark_read", "seq": seq}, "unread", "not_ready"
    elif choice == "mark_all_read":
        fields, reply, before = {"type": "mark_all_read"}, "unread", "not_ready"
    elif choice == "sub":
        # No topic of a school lets a student watch anything: unknown or forbidden.
        topic = draw(st.text(min_size=1, max_size=64) | st.sampled_from(["school.payments"]))
        params = draw(st.dictionaries(st.text(max_size=12), json_values, max_size=3))
        fields = {"type": "subscribe", "topic": topic, "params": params}
        reply = "forbidden" if topic == "school.payments" else "unknown_topic"
        before = "not_ready"
    else:
        topic = draw(st.text(min_size=1, max_size=64))
        params = {"object_id": draw(json_values)}
        fields, reply, before = (
            {"type": "unsubscribe", "topic": topic, "params": params},
            "not_subscribed",
            "not_ready",
        )
    frame = _object(fields, draw(junk_fields), ref, draw(st.booleans()))
    return Case(frame=frame, reply=reply, reply_before_hello=before, ref=ref)


frames = (
    st.one_of(not_json(), not_an_object(), wrong_version(), unknown_type(), malformed_request())
    | valid_request()
)


# --- properties --------------------------------------------------------------------------------


def _check_reply(case: Case, answer: dict[str, Any], *, started: bool) -> None:
    assert answer["v"] == 1
    expected = case.error or (case.reply if started else case.reply_before_hello)
    assert expected is not None
    if expected in DOCUMENTED_ERRORS:
        assert answer["type"] == "error", (case, answer)
        assert answer["code"] == expected, (case, answer)
        assert isinstance(answer["message"], str) and answer["message"]
    else:
        assert answer["type"] == expected, (case, answer)
    if valid_ref(case.ref):
        assert answer.get("ref") == case.ref, (case, answer)
    else:
        assert answer.get("ref") is None, (case, answer)


@FUZZ
@given(case=frames, started=st.booleans())
async def test_every_frame_gets_its_documented_answer_and_nobody_is_disturbed(
    fuzzer: Headers, bystander: Bystander, case: Case, started: bool
) -> None:
    # given a fresh socket, before or after its hello
    comm = await fresh_socket(fuzzer, hello=started)
    # when it sends a frame
    await send_text(comm, case.frame)
    # then the answer is the documented one, with the client's ref echoed
    answer = await answer_to_next(comm)
    _check_reply(case, answer, started=started)
    # and the socket stays open and keeps answering, and so does everybody else's
    await still_serves(comm)
    await comm.disconnect()
    await bystander.still_served()


@settings(FUZZ, max_examples=12)
@given(
    size=st.integers(min_value=MAX_FRAME_BYTES + 1, max_value=128 * 1024),
    filler=st.characters(min_codepoint=32, max_codepoint=126),
    started=st.booleans(),
)
async def test_an_oversized_frame_gets_too_large_then_close_4413(
    fuzzer: Headers, bystander: Bystander, size: int, filler: str, started: bool
) -> None:
    comm = await fresh_socket(fuzzer, hello=started)
    await comm.send_to(text_data=filler * size)
    answer = await receive(comm)
    assert answer["type"] == "error" and answer["code"] == "too_large"
    assert await comm.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4413}
    await comm.disconnect()  # what Daphne tells the app once the connection is gone
    await bystander.still_served()


async def test_an_oversized_frame_of_multibyte_characters_is_also_closed_with_4413(
    fuzzer: Headers,
) -> None:
    comm = await fresh_socket(fuzzer, hello=True)
    frame = "€" * 30_000  # 90,000 bytes in UTF-8, 30,000 characters
    assert len(frame.encode()) > MAX_FRAME_BYTES > len(frame)
    await comm.send_to(text_data=frame)
    assert (await receive(comm))["code"] == "too_large"
    assert await comm.receive_output(timeout=1) == {"type": "websocket.close", "code": 4413}


async def test_version_true_is_refused(fuzzer: Headers) -> None:
    comm = await fresh_socket(fuzzer, hello=True)
    await comm.send_to(text_data=json.dumps({"v": True, "type": "ping"}))
    assert (await receive(comm))["code"] == "bad_version"
    await comm.disconnect()


@settings(FUZZ, max_examples=20)
@given(data=st.binary(max_size=2048), started=st.booleans())
async def test_binary_frames_are_unsupported_and_the_socket_stays(
    fuzzer: Headers, bystander: Bystander, data: bytes, started: bool
) -> None:
    comm = await fresh_socket(fuzzer, hello=started)
    await comm.send_input({"type": "websocket.receive", "bytes": data})
    answer = await receive(comm)
    assert answer["type"] == "error" and answer["code"] == "unsupported"
    await still_serves(comm)
    await comm.disconnect()
    await bystander.still_served()


BURST = 30  # settings.AVISO_WS_RATE_BURST
STRIKES = 50  # settings.AVISO_WS_FLOOD_STRIKES


@settings(FUZZ, max_examples=25)
@given(flood=st.lists(frames, min_size=1, max_size=BURST + STRIKES + 20))
async def test_a_flood_is_answered_up_to_the_budget_then_refused_then_closed(
    fuzzer: Headers, bystander: Bystander, flood: list[Case]
) -> None:
    """The default budget (30 at once, 50 refused frames before 4429), with the refill rate
    near zero so the outcome does not depend on how fast this machine is."""
    with override_settings(AVISO_WS_RATE_PER_SECOND=0.0001):
        comm = await fresh_socket(fuzzer, hello=False)
    # when a client sends a burst of frames without waiting for answers
    for case in flood:
        await send_text(comm, case.frame)
    # then the first 30 get their own answers, in order
    started = False
    for case in flood[:BURST]:
        answer = await answer_to_next(comm)
        _check_reply(case, answer, started=started)
        started = started or answer["type"] == "ready"
    # then refused ones get rate_limited (on the 1st and every 10th), and the 50th closes
    strikes = len(flood) - BURST
    warned = [s for s in range(1, min(strikes, STRIKES - 1) + 1) if s == 1 or s % 10 == 0]
    for _ in warned:
        answer = await answer_to_next(comm)
        assert answer["type"] == "error" and answer["code"] == "rate_limited", answer
    if strikes >= STRIKES:
        output = await comm.receive_output(timeout=WAIT)
        while output["type"] == "websocket.send" and is_broadcast(json.loads(output["text"])):
            output = await comm.receive_output(timeout=WAIT)
        assert output == {"type": "websocket.close", "code": 4429}
    else:
        await _nothing_but_unread(comm)
    await comm.disconnect()
    # and everybody else is served as before
    await bystander.still_served()


async def _nothing_but_unread(comm: WebsocketCommunicator) -> None:
    while not await comm.receive_nothing(timeout=0.05):
        assert is_broadcast(await receive(comm))


# --- a front desk's hostile subscriptions in a clinic ---------------------------------------


@pytest.fixture
async def front_desk(clinic: Tenant) -> tuple[Headers, int]:
    """A receptionist's handshake headers, and the id of the clinic's only dentist."""

    def setup() -> tuple[Headers, int]:
        dentist = make_user(clinic, Role.DENTIST)
        _, headers = _signed_in(clinic, Role.RECEPTIONIST)
        return headers, dentist.pk

    return await database_sync_to_async(setup)()


@settings(FUZZ, max_examples=40)
@given(
    dentist=st.none() | json_values | st.integers(min_value=-(2**70), max_value=2**70),
    key=st.sampled_from(["dentist_id", "object_id"]),
    extra=st.dictionaries(st.text(max_size=8), json_values, max_size=2),
    unsubscribe_id=json_values,
)
async def test_schedule_subscriptions_with_any_params_are_granted_or_refused(
    front_desk: tuple[Headers, int],
    bystander: Bystander,
    dentist: Any,
    key: str,
    extra: dict[str, Any],
    unsubscribe_id: Any,
) -> None:
    headers, dentist_id = front_desk
    comm = await fresh_socket(headers, hello=True)
    params = {**extra, key: dentist}
    if key == "dentist_id":
        params.pop("object_id", None)
    await send(comm, type="subscribe", topic="clinic.schedule", params=params, ref=1)
    answer = await receive(comm)
    exact = isinstance(dentist, int) and not isinstance(dentist, bool) and dentist == dentist_id
    if exact:
        assert answer["type"] == "subscribed" and answer["object_id"] == dentist_id
    else:
        assert answer["type"] == "error" and answer["code"] == "forbidden", answer
        assert answer["message"] and answer["ref"] == 1
    # unsubscribing anything but what was granted is refused
    await send(
        comm, type="unsubscribe", topic="clinic.schedule", params={"object_id": unsubscribe_id}
    )
    answer = await receive(comm)
    granted = exact and unsubscribe_id == dentist_id and not isinstance(unsubscribe_id, bool)
    granted = granted and isinstance(unsubscribe_id, int)
    expected = "unsubscribed" if granted else "error"
    assert answer["type"] == expected, answer
    await still_serves(comm)
    await comm.disconnect()
    await bystander.still_served()
