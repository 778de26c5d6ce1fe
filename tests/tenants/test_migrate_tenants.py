"""`manage.py migrate_tenants` on real schemas: the template and the session's four tenants.

A new migration is simulated honestly without adding one to the product: the tests lend
allauth (a tenant app with no migrations of its own) the test-only migration in
tests/tenants/probe_migrations through MIGRATION_MODULES, so every schema is one migration
behind; it creates the table `migration_probe`. One schema is made to fail by creating that
table in it beforehand, a state the migration cannot apply ("relation already exists"), and
fixed by dropping it. The runner's workers are forked, so they see these settings; the data
is committed (live_db) so they see the schemas. Everything is undone afterwards.
"""

import io
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import ManagementUtility, call_command
from django.db import connection
from django.test import override_settings

from tenants.migrations_runner import tenant_schemas, tenants_migrate
from tenants.models import TemplateScript, Tenant, TenantStatus
from tenants.services import tenant_create
from testing.tenants import onboard

pytestmark = pytest.mark.usefixtures("live_db")

PROBE = ("allauth", "0001_probe")


def _schemas() -> list[str]:
    return [schema.schema_name for schema in tenant_schemas()]


def _has_probe(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {connection.ops.quote_name(schema_name)}.django_migrations "  # noqa: S608
            "WHERE app = %s AND name = %s",
            list(PROBE),
        )
        (count,) = cursor.fetchone() or (0,)
    return bool(count)


def _block_probe(schema_name: str) -> None:
    """Put the schema in a state the probe migration cannot apply."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {connection.ops.quote_name(schema_name)}.migration_probe (id integer)"
        )


def _unblock_probe(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(schema_name)}.migration_probe")


@pytest.fixture
def new_migration(live_db: None) -> Iterator[None]:
    """Every tenant schema is one (test-only) migration behind while the test runs."""
    schemas = _schemas()
    assert settings.TENANT_BASE_SCHEMA in schemas and len(schemas) >= 3
    assert not any(_has_probe(schema) for schema in schemas)
    try:
        with override_settings(MIGRATION_MODULES={"allauth": "tests.tenants.probe_migrations"}):
            yield
    finally:
        with connection.cursor() as cursor:
            for schema in schemas:
                quoted = connection.ops.quote_name(schema)
                cursor.execute(f"DROP TABLE IF EXISTS {quoted}.migration_probe")
                cursor.execute(
                    f"DELETE FROM {quoted}.django_migrations WHERE app = %s AND name = %s",  # noqa: S608
                    list(PROBE),
                )


def _fail_in_the_middle(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], str]:
    """Run the command as the deploy does (its exit code included), one process so the
    order is the runner's, with a schema in the middle that cannot migrate."""
    schemas = _schemas()
    failing = schemas[len(schemas) // 2]
    _block_probe(failing)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "migrate_tenants", "--processes", "1"]).execute()
    assert exited.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    return schemas, lines[-1]


@pytest.mark.usefixtures("new_migration")
def test_a_failing_schema_stops_the_run_naming_its_tenant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given a new migration that one schema in the middle of the order cannot apply
    # when the deploy runs the command
    schemas, last_line = _fail_in_the_middle(capsys)
    failing = schemas[len(schemas) // 2]
    tenant = Tenant.objects.get(schema_name=failing)
    # then it exits non-zero with one line naming the tenant, its schema and the error
    assert last_line.startswith(
        f'CommandError: tenant "{tenant.name}" (schema {failing}) failed to migrate: '
        'ProgrammingError: relation "migration_probe" already exists'
    ), last_line
    assert "rerun to resume" in last_line
    # and the schemas before it (the template first) stay migrated, the failing one is not,
    # and none after it was started
    assert schemas[0] == settings.TENANT_BASE_SCHEMA
    position = schemas.index(failing)
    assert [_has_probe(s) for s in schemas] == [i < position for i in range(len(schemas))]


@pytest.mark.usefixtures("new_migration")
def test_a_rerun_after_the_fix_resumes_where_the_run_stopped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given a run that stopped at a schema that could not migrate
    schemas, _ = _fail_in_the_middle(capsys)
    failing = schemas[len(schemas) // 2]
    position = schemas.index(failing)
    # when the schema is fixed and the runner runs again, in parallel
    _unblock_probe(failing)
    report = tenants_migrate(processes=2)
    # then the schemas migrated before are skipped, and the failed one and those after it
    # are migrated
    assert report.failure is None and not report.not_started
    assert report.up_to_date == schemas[:position]
    assert sorted(report.migrated) == sorted(schemas[position:])
    assert all(_has_probe(s) for s in schemas)


@pytest.mark.usefixtures("new_migration")
def test_a_template_that_cannot_migrate_stops_the_run_before_any_tenant() -> None:
    # given a new migration the template cannot apply
    _block_probe(settings.TENANT_BASE_SCHEMA)
    # when the runner runs with as many processes as there are schemas
    schemas = _schemas()
    report = tenants_migrate(processes=len(schemas))
    # then it fails on the template, and no customer's schema was started
    assert report.failure is not None
    assert report.failure.schema.schema_name == settings.TENANT_BASE_SCHEMA
    assert report.migrated == []
    assert report.not_started == schemas[1:]
    assert not any(_has_probe(s) for s in schemas)


@pytest.mark.usefixtures("new_migration")
def test_a_run_with_nothing_new_migrates_nothing() -> None:
    # given every schema migrated to the latest migrations (the new one included)
    first = tenants_migrate(processes=2)
    assert first.failure is None and sorted(first.migrated) == sorted(_schemas())
    # when the command runs again
    out = io.StringIO()
    call_command("migrate_tenants", "--processes", "2", stdout=out)
    # then no schema is migrated: every one is reported up to date
    schemas = _schemas()
    assert f"0 migrated, {len(schemas)} already up to date" in out.getvalue(), out.getvalue()
    again = tenants_migrate(processes=2)
    assert again.migrated == [] and again.up_to_date == schemas


def test_tenants_still_provisioning_are_left_to_their_clone() -> None:
    # given a tenant registered but not provisioned yet: it has no schema
    tenant = tenant_create(
        name="Half Made",
        slug="half_made",
        kind="school",
        domains=["half-made.test"],
        admin_email="admin@half-made.test",
        provision_async=False,
    )
    try:
        assert tenant.status == TenantStatus.PROVISIONING
        # when the runner runs
        report = tenants_migrate(processes=2)
        # then it neither fails on it nor counts it
        assert report.failure is None and report.migrated == []
        assert "half_made" not in report.up_to_date
    finally:
        tenant.delete(force_drop=True)


@pytest.mark.usefixtures("new_migration")
def test_a_tenant_onboarded_after_a_deploy_has_the_deploys_migrations() -> None:
    # given a deploy that migrated every schema, the template first
    call_command("migrate_tenants", "--processes", "2", stdout=io.StringIO())
    # when a school is onboarded afterwards (made from the template's script)
    tenant = onboard(slug="after_deploy", kind="school", domain="after-deploy.test")
    try:
        # then its schema has what the new migration made, and its history says so, so the
        # next deploy does not apply it twice
        assert _has_probe("after_deploy")
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('after_deploy.migration_probe') IS NOT NULL")
            assert cursor.fetchone() == (True,)
        again = tenants_migrate(processes=1)
        assert again.failure is None and "after_deploy" in again.up_to_date
    finally:
        tenant.delete(force_drop=True)
        TemplateScript.objects.all().delete()
