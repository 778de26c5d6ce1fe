"""Socket helpers: a communicator on the full ASGI stack (tenant, Origin, session, router)."""

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.models import User
from config.asgi import application
from tenants.models import Tenant
from tests.factories import session_for, ws_headers


async def communicator(
    tenant: Tenant, user: User | None = None, *, path: str = "/ws/", **header_options: Any
) -> WebsocketCommunicator:
    headers = await database_sync_to_async(_headers)(tenant, user, **header_options)
    return WebsocketCommunicator(application, path, headers=headers)


def _headers(
    tenant: Tenant, user: User | None, *, session_key: str | None = None, **options: Any
) -> list[tuple[bytes, bytes]]:
    if user is not None and session_key is None:
        session_key = session_for(tenant, user)
    return ws_headers(tenant, session_key=session_key, **options)


async def receive(comm: WebsocketCommunicator, wait: float = 3) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await comm.receive_from(timeout=wait))
    return frame


async def send(comm: WebsocketCommunicator, **message: Any) -> None:
    await comm.send_to(text_data=json.dumps({"v": 1, **message}))


async def start(
    comm: WebsocketCommunicator, last_seq: int = 0
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Connect, say hello, collect the replay; returns (ready frame, replayed notifications)."""
    connected, code = await comm.connect(timeout=5)
    assert connected, f"refused with {code}"
    await send(comm, type="hello", last_seq=last_seq)
    replayed: list[dict[str, Any]] = []
    while True:
        frame = await receive(comm)
        if frame["type"] == "ready":
            return frame, replayed
        assert frame["type"] == "notification", frame
        replayed.append(frame["notification"])
