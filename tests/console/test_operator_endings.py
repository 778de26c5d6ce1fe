"""An operator's socket ends as promptly as a tenant user's: signing out closes it (4401) at
once, not at the next periodic session check; and however it ends, its session check and its
share of the monitor broadcast stop with it."""

import asyncio
import json
import time
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import override_settings

from console.consumers import monitor_broadcast
from realtime.lifetime import TASK_PREFIX
from tests.console.factories import (
    console_client,
    make_operator,
    operator_communicator,
    operator_session,
)

pytestmark = pytest.mark.usefixtures("live_db")


def operator_tasks() -> dict[str, str]:
    """This loop's unfinished operator-socket tasks: {channel: role}, and the broadcast."""
    running: dict[str, str] = {}
    for task in asyncio.all_tasks():
        name = task.get_name()
        if name.startswith(f"{TASK_PREFIX}operator:") and not task.done():
            _, channel, role = name.split(":")
            running[channel] = role
        elif name == f"{TASK_PREFIX}monitor" and not task.done():
            running["*"] = "monitor"
    return running


async def opened(key: str) -> WebsocketCommunicator:
    comm = operator_communicator(key)
    connected, _ = await comm.connect(timeout=5)
    assert connected
    return comm


async def close_code(comm: WebsocketCommunicator, wait: float) -> int:
    """The close code the server sends within `wait` seconds (monitor frames skipped)."""
    deadline = time.monotonic() + wait
    while True:
        output = await comm.receive_output(timeout=max(0.05, deadline - time.monotonic()))
        if output["type"] == "websocket.close":
            code: int = output["code"]
            return code


async def still_serves(comm: WebsocketCommunicator) -> bool:
    """The socket answers a ping (monitor frames skipped), so it was not closed."""
    await comm.send_to(text_data=json.dumps({"v": 1, "type": "ping"}))
    while True:
        output = await comm.receive_output(timeout=2)
        if output["type"] == "websocket.close":
            return False
        if json.loads(output.get("text", "{}")).get("type") == "pong":
            return True


async def stopped(seconds: float = 1.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not operator_tasks():
            break
        await asyncio.sleep(0.02)
    return not operator_tasks() and not monitor_broadcast.sockets


async def test_operator_logout_closes_their_socket_at_once_and_no_one_elses(
    django_db_blocker: Any,
) -> None:
    # given two operators with the console open (session re-checks every 10 s, the default)
    assert settings.AVISO_OPERATOR_SESSION_CHECK_SECONDS >= 10

    def two_operators() -> tuple[Any, str]:
        with django_db_blocker.unblock():
            olga = console_client(make_operator())
            return olga, operator_session(make_operator())

    olga_browser, other_key = await database_sync_to_async(two_operators)()
    olga = await opened(olga_browser.cookies[settings.SESSION_COOKIE_NAME].value)
    other = await opened(other_key)
    assert set(operator_tasks().values()) == {"session_check", "monitor"}
    # when olga signs out through the real logout page of the operators' site
    signed_out = time.monotonic()
    response = await database_sync_to_async(olga_browser.post)("/accounts/logout/")
    assert response.status_code == 302
    # then her socket closes with 4401 within a second; the other operator's stays open
    assert await close_code(olga, wait=1.0) == 4401
    assert time.monotonic() - signed_out < 1.5
    await asyncio.sleep(0.5)
    assert await still_serves(other)
    await other.disconnect()
    # and nothing of either socket runs on
    assert await stopped()


async def test_an_operator_socket_closed_for_a_flood_stops_its_work(
    django_db_blocker: Any,
) -> None:
    def key() -> str:
        with django_db_blocker.unblock():
            return operator_session(make_operator())

    with override_settings(
        AVISO_WS_RATE_BURST=5, AVISO_WS_RATE_PER_SECOND=1, AVISO_WS_FLOOD_STRIKES=20
    ):
        flooder = await opened(await database_sync_to_async(key)())
    assert set(operator_tasks().values()) == {"session_check", "monitor"}
    # when it floods and never answers the close
    for _ in range(100):
        await flooder.send_to(text_data=json.dumps({"v": 1, "type": "ping"}))
    assert await close_code(flooder, wait=5) == 4429
    # then its session check and the monitor broadcast (it was the only watcher) stop
    assert await stopped()


async def test_an_operator_socket_cancelled_by_the_server_stops_its_work(
    django_db_blocker: Any,
) -> None:
    def key() -> str:
        with django_db_blocker.unblock():
            return operator_session(make_operator())

    comm = await opened(await database_sync_to_async(key)())
    assert set(operator_tasks().values()) == {"session_check", "monitor"}
    comm.future.cancel()
    assert await stopped()
