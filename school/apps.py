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
        from school.access import authorize_billing_run, authorize_totals
        from school.payloads import BILLING_RUN_TOPIC, TOTALS_TOPIC

        register_topic(
            name=TOTALS_TOPIC,
            authorize=authorize_totals,
            description="The overview's totals changed (outstanding, overdue; object id 0: "
            "the school): administrators' overview pages re-read them.",
        )
        register_topic(
            name=BILLING_RUN_TOPIC,
            authorize=authorize_billing_run,
            description="A billing run's progress, for the school's administrators "
            "(object id: the run).",
        )
