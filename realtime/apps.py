from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Real-time notifications"

    def ready(self) -> None:
        # Connects the Celery task-failure counter in every process (workers included).
        from realtime import metrics  # noqa: F401
