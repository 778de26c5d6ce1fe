"""Vanilla Channels baseline, as in the Channels tutorial's chat: a consumer joins groups on
connect and forwards whatever `group_send` brings. Each socket joins its user's group and one
group of everybody (the broadcast). No authentication, no tenant, no replay, no sequence
numbers: a message sent while a socket is away is simply gone.

Serve it with Daphne: DJANGO_SETTINGS_MODULE=bench.baselines.vanilla_settings (the core
channels-redis layer) or bench.baselines.pubsub_settings (its pub/sub layer)
`daphne bench.baselines.vanilla:application`; publish with
`group_send("user_<id>" or "everyone", {"type": "notify.message", "message": {...}})`.
"""

import json
import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.baselines.vanilla_settings")
django_asgi_app = get_asgi_application()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

EVERYONE = "everyone"


def user_group(user_id: int | str) -> str:
    return f"user_{user_id}"


class NotifyConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.groups_joined = [user_group(self.scope["url_route"]["kwargs"]["user_id"]), EVERYONE]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def notify_message(self, event: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps({"message": event["message"]}))


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter(
            [re_path(r"^ws/notify/(?P<user_id>\d+)/$", NotifyConsumer.as_asgi())]
        ),
    }
)
