from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "school"

    def ready(self) -> None:
        from realtime.read_hooks import read_hook_register
        from realtime.topics import register_topic
        from school.access import authorize_announcement_reads, authorize_payments_feed
        from school.notifications import ANNOUNCEMENT_PUBLISHED
        from school.payloads import ANNOUNCEMENT_TOPIC, PAYMENTS_TOPIC
        from school.services.announcements import announcement_notifications_read

        register_topic(
            name=PAYMENTS_TOPIC,
            authorize=authorize_payments_feed,
            description="Payments as administrators record them (object id 0: the school).",
        )
        register_topic(
            name=ANNOUNCEMENT_TOPIC,
            authorize=authorize_announcement_reads,
            description="How many have read an announcement (object id: the announcement's).",
        )
        # Reading an announcement's notification in the inbox counts as reading it.
        read_hook_register(
            type_name=ANNOUNCEMENT_PUBLISHED.type, hook=announcement_notifications_read
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
