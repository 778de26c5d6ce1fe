"""The ASGI entry point Daphne serves: HTTP through Django, WebSockets through realtime (the
tenants' sites) and console (the operators' site)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from config.autobahn_debug import format_autobahn_debug_only_when_debugging  # noqa: E402
from console.routing import operators_application  # noqa: E402
from realtime.asgi import websocket_application  # noqa: E402

format_autobahn_debug_only_when_debugging()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": websocket_application(operators=operators_application()),
    }
)
