"""Bad input on a socket gets a clear error frame or close code, and the server keeps
serving that socket (where it makes sense) and everybody else's."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from accounts.roles import Role
from realtime.protocol import MAX_FRAME_BYTES
from tenants.models import Tenant
from tests.factories import make_user
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")
new_user = database_sync_to_async(make_user)


async def _ready_socket(tenant: Tenant):
    user = await new_user(tenant, Role.STUDENT)
    comm = await communicator(tenant, user)
    await start(comm)
    return comm


async def _still_serves(comm) -> None:
    await send(comm, type="ping", ref="alive?")
    assert (await receive(comm))["type"] == "pong"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_request"),
        (json.dumps({"type": "launch_missiles"}), "unknown_type"),
        (json.dumps({"type": 7}), "unknown_type"),
        (json.dumps({"v": 2, "type": "ping"}), "bad_version"),
        (json.dumps({"type": "mark_read", "seq": "one"}), "bad_request"),
        (json.dumps({"type": "mark_read", "seq": -4}), "bad_request"),
        (json.dumps({"type": "subscribe", "topic": ""}), "bad_request"),
        (json.dumps({"type": "subscribe", "topic": "no.such.topic"}), "unknown_topic"),
        (json.dumps({"type": "hello", "last_seq": 0}), "already_started"),
        ("[" * 100000, "too_large"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_keeps_working(
    school: Tenant, frame: str, code: str
) -> None:
    comm = await _ready_socket(school)
    await comm.send_to(text_data=frame)
    error = await receive(comm)
    assert error["type"] == "error" and error["code"] == code and error["message"]
    if code == "too_large":
        assert await comm.receive_output() == {"type": "websocket.close", "code": 4413}
    else:
        await _still_serves(comm)
        await comm.disconnect()


async def test_error_frames_echo_the_client_ref(school: Tenant) -> None:
    comm = await _ready_socket(school)
    await send(comm, type="subscribe", topic="no.such.topic", ref="req-7")
    assert (await receive(comm))["ref"] == "req-7"
    await comm.disconnect()


async def test_binary_frames_are_refused_with_an_error(school: Tenant) -> None:
    comm = await _ready_socket(school)
    await comm.send_to(bytes_data=b"\x00\x01")
    assert (await receive(comm))["code"] == "unsupported"
    await _still_serves(comm)
    await comm.disconnect()


async def test_requests_before_hello_are_refused(school: Tenant) -> None:
    user = await new_user(school, Role.STUDENT)
    comm = await communicator(school, user)
    assert (await comm.connect())[0]
    await send(comm, type="mark_all_read")
    assert (await receive(comm))["code"] == "not_ready"
    await comm.disconnect()


async def test_a_frame_just_under_the_limit_is_parsed(school: Tenant) -> None:
    comm = await _ready_socket(school)
    padding = "x" * (MAX_FRAME_BYTES - 100)
    await send(comm, type="ping", ref="big", pad=padding)
    assert (await receive(comm))["type"] == "pong"
    await comm.disconnect()


async def test_a_flood_is_rate_limited_then_closed_and_others_are_unaffected(
    school: Tenant,
) -> None:
    with override_settings(
        AVISO_WS_RATE_BURST=5, AVISO_WS_RATE_PER_SECOND=1, AVISO_WS_FLOOD_STRIKES=20
    ):
        flooder = await _ready_socket(school)
        bystander = await _ready_socket(school)
    for _ in range(4):  # the hello took one of the five
        await send(flooder, type="ping")
    pongs = [await receive(flooder) for _ in range(4)]
    assert {p["type"] for p in pongs} == {"pong"}
    await send(flooder, type="ping")
    assert (await receive(flooder))["code"] == "rate_limited"
    for _ in range(30):
        await send(flooder, type="ping")
    output = await flooder.receive_output()
    while output["type"] == "websocket.send":
        output = await flooder.receive_output()
    assert output == {"type": "websocket.close", "code": 4429}
    await _still_serves(bystander)
    await bystander.disconnect()
