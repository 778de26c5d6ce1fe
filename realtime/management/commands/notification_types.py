from typing import Any

from django.core.management.base import BaseCommand

from realtime.catalogue_doc import catalogue_table


class Command(BaseCommand):
    help = "Print the notification catalogue as the table of docs/realtime-protocol.md."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(catalogue_table())
