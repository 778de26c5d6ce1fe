from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Real-time notifications"

    def ready(self) -> None:
        # Every app declares its notification types in `<app>/notifications.py`.
        from importlib import import_module

        from django.conf import settings
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("notifications")
        for module in settings.AVISO_EXTRA_NOTIFICATION_MODULES:
            import_module(module)
        # Connects the Celery task-failure counter in every process (workers included).
        from realtime import metrics  # noqa: F401
        from realtime.presence import PRESENCE_TOPIC, authorize_presence
        from realtime.topics import register_topic

        register_topic(
            name=PRESENCE_TOPIC,
            authorize=authorize_presence,
            description="staff of the tenant: someone's sockets came or went",
        )
