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
        # Signing out (allauth's logout goes through django.contrib.auth.logout) closes the
        # sockets of that session; accounts knows nothing of sockets.
        from django.contrib.auth.signals import user_logged_out

        from realtime.sessions import on_user_logged_out

        user_logged_out.connect(
            on_user_logged_out, weak=False, dispatch_uid="aviso.realtime.logout"
        )
        # Counts failed Celery tasks in every process that loads Django (workers included).
        from realtime.metrics import connect_task_failure_counter

        connect_task_failure_counter()
        from realtime.access import authorize_presence
        from realtime.presence import PRESENCE_TOPIC
        from realtime.topics import register_topic

        register_topic(
            name=PRESENCE_TOPIC,
            authorize=authorize_presence,
            description="staff of the tenant: someone's sockets came or went",
        )
