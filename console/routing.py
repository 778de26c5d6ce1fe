"""The operators' socket stack, served on the public site's host (realtime.asgi hands it every
connection whose Host is the operators' site): Origin check, the operators' session, then
/ws/operators/. Any other path on that host is refused like an unknown one."""

from channels.routing import URLRouter
from channels.security.websocket import WebsocketDenier
from django.urls import path, re_path

from realtime.asgi import (
    ASGIApp,
    DatabaseOutageGuard,
    OriginMiddleware,
    Receive,
    Scope,
    Send,
    session_key_of,
)
from realtime.tenant_db import public_db


class OperatorSessionMiddleware:
    """The operators' session lives in the public schema; only an operator's counts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from console.consumers import operator_session_user

        session_key = session_key_of(scope)
        user = await public_db(operator_session_user)(session_key=session_key)
        return await self.app({**scope, "user": user, "session_key": session_key}, receive, send)


def operators_application() -> ASGIApp:
    from console.consumers import OperatorConsumer

    router = URLRouter(
        [
            path("ws/operators/", OperatorConsumer.as_asgi()),
            re_path(r"", WebsocketDenier.as_asgi()),
        ]
    )
    # The tenants' gate guards its own lookups; the operators' session lookup is guarded here.
    return DatabaseOutageGuard(OriginMiddleware(OperatorSessionMiddleware(router)))
