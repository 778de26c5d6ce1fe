from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "school"

    def ready(self) -> None:
        from realtime.topics import register_topic
        from school.services.invoices import PAYMENTS_TOPIC
        from school.topics import authorize_payments_feed

        register_topic(
            name=PAYMENTS_TOPIC,
            authorize=authorize_payments_feed,
            description="Payments as administrators record them (object id 0: the school).",
        )
