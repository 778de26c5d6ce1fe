"""`manage.py tenant_status <slug> suspend|reactivate|archive|restore|activate` — a tenant's
moves from a shell, the same as the console's buttons (tenants.states says which are allowed).

Exit codes: 0 done; 1 no such tenant; 2 bad usage (an unknown action: argparse's own);
3 the move is not allowed from the tenant's status. Each failure is one line on stderr."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.models import TenantStatus
from tenants.selectors import customer_tenants
from tenants.services import tenant_set_status
from tenants.states import MOVES

EXIT_NO_TENANT = 1
EXIT_REFUSED = 3
# "activate" is whichever of reactivate/restore leads back to active.
ACTIONS: dict[str, TenantStatus] = {
    **{action: move.target for action, move in MOVES.items()},
    "activate": TenantStatus.ACTIVE,
}


class Command(BaseCommand):
    help = "Suspend, archive or (re)activate a tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("action", choices=sorted(ACTIONS))

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = customer_tenants().filter(schema_name=options["slug"]).first()
        if tenant is None:
            raise CommandError(
                f"no tenant with slug {options['slug']!r}", returncode=EXIT_NO_TENANT
            )
        try:
            tenant_set_status(tenant=tenant, status=ACTIONS[options["action"]])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=EXIT_REFUSED) from None
        self.stdout.write(f"{tenant.schema_name} is now {tenant.status}")
