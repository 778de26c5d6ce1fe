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
        from clinic.access import authorize_inbox
        from clinic.services.threads import INBOX_TOPIC

        register_topic(
            name=INBOX_TOPIC,
            authorize=authorize_inbox,
            description="A staff member's messages inbox: a thread moved to the top with their "
            "own unread count, or read by them (object_id: always the viewer's own user id).",
        )
