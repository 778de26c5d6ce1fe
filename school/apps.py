from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "school"

    def ready(self) -> None:
        from realtime.topics import register_topic
        from school.access import authorize_payments_feed
        from school.payloads import PAYMENTS_TOPIC

        register_topic(
            name=PAYMENTS_TOPIC,
            authorize=authorize_payments_feed,
            description="Payments as administrators record them (object id 0: the school).",
        )
