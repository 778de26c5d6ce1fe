from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.models import Tenant, TenantStatus
from tenants.services import tenant_set_status

ACTIONS = {"suspend": TenantStatus.SUSPENDED, "reactivate": TenantStatus.ACTIVE}


class Command(BaseCommand):
    help = "Suspend or reactivate a tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("action", choices=sorted(ACTIONS))

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(schema_name=options["slug"], is_template=False).first()
        if tenant is None:
            raise CommandError(f"no tenant with slug {options['slug']!r}")
        try:
            tenant_set_status(tenant=tenant, status=ACTIONS[options["action"]])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"{tenant.schema_name} is now {tenant.status}")
