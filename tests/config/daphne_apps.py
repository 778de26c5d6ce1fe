"""Bare ASGI applications for the tests of Aviso's Daphne server (test_daphne_server.py): each
shows one of the server's duties without a tenant, a session or the product in the way."""

import asyncio
import os
from pathlib import Path
from typing import Any

CANCELLED_MARKER = "AVISO_TEST_CANCELLED_MARKER"  # env: the file an application writes if killed


async def _accept(receive: Any, send: Any) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})


async def _until_disconnect(receive: Any) -> None:
    while (await receive())["type"] != "websocket.disconnect":
        pass


async def holds_open(scope: Any, receive: Any, send: Any) -> None:
    """Accepts a socket and keeps it, saying nothing, until the client leaves."""
    await _accept(receive, send)
    await _until_disconnect(receive)


async def crashes_after_accepting(scope: Any, receive: Any, send: Any) -> None:
    await _accept(receive, send)
    raise RuntimeError("the application failed")


async def outlives_its_socket(scope: Any, receive: Any, send: Any) -> None:
    """Carries on after its client left, until the server kills it (and notes that it did)."""
    await _accept(receive, send)
    await _until_disconnect(receive)
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        Path(os.environ[CANCELLED_MARKER]).write_text("cancelled")  # noqa: ASYNC240 -- a test's marker, once
        raise


async def names_its_loop(scope: Any, receive: Any, send: Any) -> None:
    """Says which event loop implementation runs it, then keeps the socket."""
    await _accept(receive, send)
    loop = asyncio.get_running_loop()
    await send({"type": "websocket.send", "text": type(loop).__module__})
    await _until_disconnect(receive)
