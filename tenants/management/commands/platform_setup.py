from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tenants.services import platform_ensure


class Command(BaseCommand):
    help = "Create the public site's tenant and the pre-migrated template schema (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--public-domain", default=settings.AVISO_PUBLIC_DOMAIN)

    def handle(self, *args: Any, **options: Any) -> None:
        _public, template = platform_ensure(public_domain=options["public_domain"])
        self.stdout.write(
            f"public site on {options['public_domain']}; template {template.schema_name}"
        )
