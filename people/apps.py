from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """A tenant's people as its staff manage them (list, invite, import, deactivate) and each
    person's own account page. Sits above accounts, school, clinic and realtime: it reaches
    sockets (closing them on deactivation) and each kind's role records."""

    name = "people"
