"""Sign out everywhere, on the full ASGI stack with the real Redis: every session of the user
ends (their other browser is signed out) and every socket of theirs closes, while other
people's sockets stay open."""

import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.roles import Role
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = pytest.mark.usefixtures("live_db")
new_user = database_sync_to_async(make_user)
new_browser = database_sync_to_async(client_for)


async def close_code(comm: WebsocketCommunicator, wait: float = 2.0) -> int:
    """The code the server closed with, skipping the frames sent before it."""
    deadline = time.monotonic() + wait
    while True:
        output = await comm.receive_output(timeout=max(0.05, deadline - time.monotonic()))
        if output["type"] == "websocket.close":
            code: int = output["code"]
            return code


async def test_sign_out_everywhere_ends_every_session_and_socket_of_the_user(
    school: Tenant, school_b: Tenant
) -> None:
    # given Lisa signed in on a laptop and a phone, each with a live page, and Bart's page
    lisa = await new_user(school, Role.STUDENT)
    bart = await new_user(school, Role.STUDENT)
    laptop = await new_browser(school, lisa)
    phone = await new_browser(school, lisa)
    laptop_socket = await communicator(school, session_key=laptop.cookies["sessionid"].value)
    phone_socket = await communicator(school, session_key=phone.cookies["sessionid"].value)
    bart_socket = await communicator(school, bart)
    for comm in (laptop_socket, phone_socket, bart_socket):
        await start(comm)
    get = database_sync_to_async(lambda browser, path: browser.get(path))
    assert (await get(phone, "/account/me/")).status_code == 200
    # when she confirms "sign out everywhere" on the laptop
    page = await get(laptop, "/account/me/sign-out-everywhere/")
    assert page.status_code == 200
    post = database_sync_to_async(laptop.post)
    response = await post("/account/me/sign-out-everywhere/")
    # then the laptop is signed out and sent to the sign-in page
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert (await get(laptop, "/account/me/")).status_code == 302
    # and both of her sockets close as signed out (4401)
    assert await close_code(laptop_socket) == 4401
    assert await close_code(phone_socket) == 4401
    # and the phone's session is over: its next page asks her to sign in
    after = await get(phone, "/account/me/")
    assert after.status_code == 302 and after["Location"].startswith("/accounts/login/")
    # while Bart's socket is still open and served
    await send(bart_socket, type="ping")
    assert (await receive(bart_socket))["type"] == "pong"
    await bart_socket.disconnect()
