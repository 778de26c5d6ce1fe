import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.models import TenantKind
from tenants.progress import ProvisioningStep
from tenants.services import OnboardingError, tenant_create, tenant_provision


class Command(BaseCommand):
    help = "Onboard a school or clinic: validate, clone its schema, invite its first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="also the schema name")
        parser.add_argument("--kind", required=True, help=f"one of {', '.join(TenantKind.values)}")
        parser.add_argument("--domain", action="append", required=True, dest="domains")
        parser.add_argument("--admin-email", required=True)
        # The tenant's defaults, as the console's onboarding form sets them (the service checks).
        parser.add_argument("--language", default="en", help="default language: en or es-mx")
        parser.add_argument("--currency", default="USD", help="three letters, e.g. MXN")
        parser.add_argument("--time-zone", default="UTC", help="e.g. America/Mexico_City")
        parser.add_argument(
            "--async",
            action="store_true",
            dest="run_async",
            help="queue provisioning on Celery instead of running it here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tenant = tenant_create(
                name=options["name"],
                slug=options["slug"],
                kind=options["kind"],
                domains=options["domains"],
                admin_email=options["admin_email"],
                default_language=options["language"],
                currency=options["currency"],
                time_zone=options["time_zone"],
                provision_async=options["run_async"],
            )
        except OnboardingError as exc:
            raise CommandError(str(exc)) from None
        if options["run_async"]:
            self.stdout.write(f"queued provisioning of {tenant.schema_name}")
            return
        try:
            tenant_provision(tenant=tenant, progress=self._draw)
        except Exception as exc:
            self.stderr.write("")
            raise CommandError(f"provisioning failed, nothing was kept: {exc}") from None
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"{tenant.name} is ready at {', '.join(options['domains'])}; "
                f"an invitation went to {tenant.admin_email}"
            )
        )

    def _draw(self, percent: int, step: ProvisioningStep) -> None:
        filled = percent * 30 // 100
        bar = "#" * filled + "-" * (30 - filled)
        sys.stdout.write(f"\r[{bar}] {percent:3d}% {step.label!s:<40}")
        sys.stdout.flush()
