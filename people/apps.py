from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """A tenant's people as its staff manage them (list, invite, import, deactivate) and each
    person's own account page. Sits above accounts, school, clinic and realtime: it reaches
    sockets (closing them on deactivation) and each kind's role records."""

    name = "people"

    def ready(self) -> None:
        from people.imports import IMPORT_TOPIC
        from people.imports.access import authorize_import_progress
        from realtime.topics import register_topic

        register_topic(
            name=IMPORT_TOPIC,
            authorize=authorize_import_progress,
            description="A CSV import's progress, for the person who started it "
            "(object id: the import job).",
        )
