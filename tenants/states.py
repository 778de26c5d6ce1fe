"""A tenant's life, in one place: which status may follow which, and what each move is
called. The console's buttons and confirmation pages, tenants.services.tenant_set_status,
the `tenant_status` command and the tests all read TRANSITIONS.

    provisioning → active ⇄ suspended
                   active, suspended → archived → deleted
                   archived → active (restore: the data was kept, so nothing is lost)

Deleting is not a status: the tenant's row, its domains and its schema are gone
(tenants.services.tenant_delete), and only an archived tenant can be deleted. Provisioning
ends by itself (tenants.services.tenant_provision), never by an operator's move.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tenants.models import TenantStatus


@dataclass(frozen=True)
class Move:
    """An operator's move from one status to another."""

    action: str  # the form's and the command's word for it
    target: TenantStatus
    label: str | Promise  # the button
    # Whether the console shows a confirmation page first (a POST without `confirm` changes
    # nothing): the moves that close a tenant's pages.
    needs_confirmation: bool


SUSPEND = Move("suspend", TenantStatus.SUSPENDED, _("Suspend"), True)
REACTIVATE = Move("reactivate", TenantStatus.ACTIVE, _("Reactivate"), False)
ARCHIVE = Move("archive", TenantStatus.ARCHIVED, _("Archive"), True)
RESTORE = Move("restore", TenantStatus.ACTIVE, _("Restore"), False)

MOVES: dict[str, Move] = {move.action: move for move in (SUSPEND, REACTIVATE, ARCHIVE, RESTORE)}

# status → the moves an operator may make from it.
TRANSITIONS: dict[str, tuple[Move, ...]] = {
    TenantStatus.PROVISIONING: (),
    TenantStatus.ACTIVE: (SUSPEND, ARCHIVE),
    TenantStatus.SUSPENDED: (REACTIVATE, ARCHIVE),
    TenantStatus.ARCHIVED: (RESTORE,),
}

# Only these may be deleted (after the operator types the tenant's name).
DELETABLE: frozenset[str] = frozenset({TenantStatus.ARCHIVED})


def moves_from(status: str) -> tuple[Move, ...]:
    return TRANSITIONS.get(status, ())


def move_allowed(*, status: str, action: str) -> Move | None:
    """The move `action` from `status`, or None if it is not one of its transitions."""
    return next((move for move in moves_from(status) if move.action == action), None)


def can_delete(status: str) -> bool:
    return status in DELETABLE
