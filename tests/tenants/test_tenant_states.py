"""A tenant's life (tenants/states.py): which moves the service makes and which it refuses,
and `manage.py tenant_status` with its exit codes."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from tenants.models import Tenant, TenantStatus
from tenants.services import tenant_delete, tenant_set_status
from tenants.states import DELETABLE, MOVES, TRANSITIONS, can_delete, move_allowed

pytestmark = pytest.mark.django_db

ACTIVE, SUSPENDED, ARCHIVED = TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.ARCHIVED
PROVISIONING = TenantStatus.PROVISIONING

# (from, to, allowed) for every pair of statuses an operator could ask for
TABLE = [
    (ACTIVE, SUSPENDED, True),
    (ACTIVE, ARCHIVED, True),
    (ACTIVE, ACTIVE, False),
    (SUSPENDED, ACTIVE, True),
    (SUSPENDED, ARCHIVED, True),
    (SUSPENDED, SUSPENDED, False),
    (ARCHIVED, ACTIVE, True),
    (ARCHIVED, SUSPENDED, False),
    (ARCHIVED, ARCHIVED, False),
    (PROVISIONING, ACTIVE, False),
    (PROVISIONING, ARCHIVED, False),
]


def test_the_table_covers_every_status_and_deletes_only_archived() -> None:
    assert set(TRANSITIONS) == set(TenantStatus.values)
    assert {ARCHIVED} == DELETABLE
    assert [s for s in TenantStatus.values if can_delete(s)] == [ARCHIVED]
    # every move has one target and one word
    assert {move.action for move in MOVES.values()} == {
        "suspend",
        "reactivate",
        "archive",
        "restore",
    }
    assert move_allowed(status=ARCHIVED, action="suspend") is None
    assert move_allowed(status=ARCHIVED, action="restore") == MOVES["restore"]


@pytest.mark.parametrize(("start", "target", "allowed"), TABLE)
def test_the_service_makes_exactly_the_tables_moves(
    school: Tenant, start: str, target: str, allowed: bool
) -> None:
    Tenant.objects.filter(pk=school.pk).update(status=start)
    school.refresh_from_db()
    if allowed:
        tenant_set_status(tenant=school, status=TenantStatus(target))
        school.refresh_from_db()
        assert school.status == target and school.status_changed_at is not None
    else:
        with pytest.raises(ValidationError):
            tenant_set_status(tenant=school, status=TenantStatus(target))
        school.refresh_from_db()
        assert school.status == start


def test_a_stale_copy_cannot_skip_a_step(school: Tenant) -> None:
    # given an operator's copy of the school read while it was active, then archived elsewhere
    stale = Tenant.objects.get(pk=school.pk)
    Tenant.objects.filter(pk=school.pk).update(status=ARCHIVED)
    # then suspending through the stale copy is refused: the service reads the current status
    with pytest.raises(ValidationError):
        tenant_set_status(tenant=stale, status=SUSPENDED)
    assert Tenant.objects.get(pk=school.pk).status == ARCHIVED


def test_deleting_refuses_the_active_the_misnamed_and_the_platform(school: Tenant) -> None:
    with pytest.raises(ValidationError, match="archived"):
        tenant_delete(tenant=school, typed_name="Alpha School")
    Tenant.objects.filter(pk=school.pk).update(status=ARCHIVED)
    school.refresh_from_db()
    with pytest.raises(ValidationError, match="exact name"):
        tenant_delete(tenant=school, typed_name="alpha school")
    template = Tenant.objects.get(schema_name=settings.TENANT_BASE_SCHEMA)
    with pytest.raises(ValidationError):
        tenant_delete(tenant=template, typed_name=template.name)
    assert Tenant.objects.filter(pk=school.pk).exists()


# --- the command -------------------------------------------------------------------------------


def test_the_command_moves_a_tenant_and_says_so(
    school: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("tenant_status", "school_a", "archive")
    assert capsys.readouterr().out.strip() == "school_a is now archived"
    school.refresh_from_db()
    assert school.status == ARCHIVED
    call_command("tenant_status", "school_a", "activate")
    school.refresh_from_db()
    assert school.status == ACTIVE


def test_the_commands_refusals_have_their_exit_codes(school: Tenant) -> None:
    with pytest.raises(CommandError, match="no tenant with slug 'nobody'") as unknown:
        call_command("tenant_status", "nobody", "archive")
    assert unknown.value.returncode == 1
    with pytest.raises(CommandError, match="no tenant") as public:
        call_command("tenant_status", "public", "suspend")
    assert public.value.returncode == 1
    with pytest.raises(CommandError, match="cannot become") as refused:
        call_command("tenant_status", "school_a", "restore")
    assert refused.value.returncode == 3
    school.refresh_from_db()
    assert school.status == ACTIVE


def test_an_unknown_action_is_one_line_and_exit_code_2() -> None:
    # argparse refuses it before any database is touched
    done = subprocess.run(
        [sys.executable, "manage.py", "tenant_status", "school_a", "explode"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "invalid choice: 'explode'" in errors[0]
