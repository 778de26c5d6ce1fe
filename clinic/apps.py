from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = _("Dental clinic")

    def ready(self) -> None:
        from clinic.access import authorize_schedule
        from clinic.services.common import SCHEDULE_TOPIC
        from realtime.topics import register_topic

        register_topic(
            name=SCHEDULE_TOPIC,
            authorize=authorize_schedule,
            description="A dentist's appointments as they are requested, moved or cancelled "
            "(object_id: the dentist's user id).",
        )
