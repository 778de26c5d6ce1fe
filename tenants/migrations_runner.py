"""Migrating every tenant schema in a way that holds at a thousand tenants.

`migrate_schemas --tenant` runs Django's `migrate` in every schema, whether or not it has
anything to apply: at a thousand schemas a deploy without a new migration still loads the
migration graph, checks the history and emits post_migrate (content types, permissions) a
thousand times. Its parallel executor maps the whole list before it reports a failure, and
the failure does not say which schema it came from.

Here:
- one query per few hundred schemas compares each schema's django_migrations with the
  graph's leaf nodes; only the schemas behind are migrated, so a rerun after a failure
  resumes where it stopped and a deploy without a new migration is one pass of reads;
- the template (`TENANT_BASE_SCHEMA`, cloned by provisioning) goes first and alone: it has
  every table a tenant has, so a broken migration fails there before any customer schema is
  touched, and tenants onboarded meanwhile are cloned from the new state;
- the others run in worker processes through django-tenants' own per-schema runner (what its
  multiprocessing executor runs), at most one schema per worker at a time, so that after the
  first failure no further schema starts; the ones already running finish, because a
  migration is not cut off halfway (PostgreSQL would roll back its transaction, but a
  `RunPython(atomic=False)` would not be).
"""

import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django_tenants.migration_executors.multiproc import (
    MultiprocessingExecutor,
    run_migrations_percent,
)
from django_tenants.utils import (
    get_public_schema_name,
    get_tenant_base_migrate_command_class,
    get_tenant_database_alias,
    get_tenant_migration_order,
    schema_context,
)

from tenants.models import Tenant, TenantStatus

# Schemas per query when reading django_migrations: a statement locks every table it reads
# (and the planner its indexes), and the lock table is shared by all backends
# (max_locks_per_transaction x max_connections), so a thousand-table UNION is split.
SCHEMAS_PER_QUERY = 200


@dataclass(frozen=True)
class TenantSchema:
    schema_name: str
    tenant_name: str


@dataclass(frozen=True)
class SchemaFailure:
    schema: TenantSchema
    error: str  # one line: the exception's type and first line
    details: str  # the worker's traceback

    def summary(self) -> str:
        return (
            f'tenant "{self.schema.tenant_name}" (schema {self.schema.schema_name}) '
            f"failed to migrate: {self.error}"
        )


@dataclass
class TenantMigrationReport:
    up_to_date: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)
    failure: SchemaFailure | None = None
    also_failed: list[SchemaFailure] = field(default_factory=list)
    seconds: float = 0.0


SchemaDone = Callable[[TenantSchema, float, int, int], None]


def migration_leaves() -> list[tuple[str, str]]:
    """The last migration of every app, as (app, name): a schema that has recorded all of
    them has applied everything, since Django records a migration only once it and its
    dependencies are applied."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(loader.graph.leaf_nodes())


def tenant_schemas() -> list[TenantSchema]:
    """Every schema to migrate: the template first, then the tenants in
    TENANT_MIGRATION_ORDER (default: by schema name). Tenants still provisioning are left
    out: their schema is being cloned, in a transaction, from the template migrated first."""
    order = get_tenant_migration_order() or ["schema_name"]
    with schema_context(get_public_schema_name()):
        rows = (
            Tenant.objects.exclude(schema_name=get_public_schema_name())
            .exclude(status=TenantStatus.PROVISIONING)
            .order_by("-is_template", *order)
            .values_list("schema_name", "name")
        )
        return [TenantSchema(schema_name=schema, tenant_name=name) for schema, name in rows]


def schemas_behind(*, schema_names: Sequence[str], leaves: Sequence[tuple[str, str]]) -> set[str]:
    """The schemas that lack one of `leaves` in their django_migrations (or the table)."""
    if not schema_names:
        return set()
    quote = connection.ops.quote_name
    with schema_context(get_public_schema_name()), connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [list(schema_names)],
        )
        recorded = {row[0] for row in cursor.fetchall()}
        behind = set(schema_names) - recorded
        if not leaves:
            return behind
        leaf_rows = ", ".join(["(%s, %s)"] * len(leaves))
        leaf_params = [part for leaf in leaves for part in leaf]
        names = sorted(recorded)
        for start in range(0, len(names), SCHEMAS_PER_QUERY):
            chunk = names[start : start + SCHEMAS_PER_QUERY]
            # Identifiers cannot be parameters; each is quoted, and every value is one.
            counts = " UNION ALL ".join(
                f"SELECT %s, count(DISTINCT (m.app, m.name)) FROM {quote(name)}.django_migrations"  # noqa: S608
                " m JOIN leaf ON leaf.app = m.app AND leaf.name = m.name"
                for name in chunk
            )
            cursor.execute(
                f"WITH leaf (app, name) AS (VALUES {leaf_rows}) {counts}",
                [*leaf_params, *chunk],
            )
            behind.update(name for name, applied in cursor.fetchall() if applied < len(leaves))
    return behind


def _one_line(exc: BaseException) -> str:
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _has_table_by_name(self: MigrationRecorder) -> bool:
    """MigrationRecorder.has_table asking PostgreSQL for its one table by name.

    Django's lists every table visible on the search path and looks for django_migrations in
    the list: a scan of the whole pg_class with pg_table_is_visible() on each row, 170 ms at
    700 tenants (220,000 relations), and `migrate` asks three or four times per schema, so a
    migration applied to every schema grew with the square of the tenant count (9 s for 100
    schemas, 123 s for 500). to_regclass resolves the name on the same search path through
    pg_class's name index."""
    if getattr(self, "_has_table", False):  # Django's memo: once found, found for good
        return True
    with self.connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [self.Migration._meta.db_table])
        row = cursor.fetchone()
    found = bool(row and row[0])
    self._has_table = found  # type: ignore[attr-defined]
    return found


def _migrate_in_worker(
    args: tuple[str, ...], options: dict[str, Any], count: int, idx: int, schema_name: str
) -> tuple[str, str] | None:
    """Runs in a worker process: django-tenants' per-schema migration. Returns None, or the
    error as text (a database exception need not survive pickling back to the parent)."""
    # Only in the runner's own worker processes, which do nothing else.
    MigrationRecorder.has_table = _has_table_by_name  # type: ignore[method-assign]
    try:
        codename = TenantMigrationExecutor.codename
        run_migrations_percent(args, options, codename, count, (idx, schema_name))
    except (Exception, SystemExit) as exc:
        # The connection may be mid-transaction in the failed schema; the next one must not be.
        connections[get_tenant_database_alias()].close()
        return _one_line(exc), traceback.format_exc()
    return None


class TenantMigrationExecutor(MultiprocessingExecutor):
    """django-tenants' multiprocessing executor, scheduled one schema per worker at a time.

    Its own run_migrations hands the whole list to Pool.map, which reports a failure only
    once every schema has been tried, re-raises it without the schema's name, and hangs if a
    worker dies. This keeps its per-schema runner (schema switch, migration recorder,
    prefixed output, signals, closing the connection after each schema) and replaces the
    scheduling: a worker that dies fails its schema (BrokenProcessPool) instead of hanging.
    """

    codename = "tenants"

    def __init__(self, *, processes: int, verbosity: int) -> None:
        migrate = get_tenant_base_migrate_command_class()()
        parser = migrate.create_parser("manage.py", "migrate")
        # Checks ran once in the parent; per schema they would only repeat themselves.
        argv = ["--noinput", "--skip-checks", "--verbosity", str(verbosity)]
        options = vars(parser.parse_args(argv))
        options.pop("args", None)
        super().__init__((), options)
        self.processes = max(1, processes)

    def _pool(self) -> ProcessPoolExecutor:
        # Workers are forked so they inherit the configured Django (as the library's pool
        # does); the parent's connection is closed first so no worker shares its socket.
        db = connections[self.TENANT_DB_ALIAS]
        db.close()
        db.connection = None
        start = "fork" if "fork" in get_all_start_methods() else None
        return ProcessPoolExecutor(max_workers=self.processes, mp_context=get_context(start))

    def migrate(
        self,
        *,
        batches: Sequence[Sequence[TenantSchema]],
        report: TenantMigrationReport,
        on_schema_done: SchemaDone | None = None,
    ) -> None:
        """Migrate the batches one after the other (each in parallel); after the first
        failure no schema starts, and the rest are reported as not started."""
        count = sum(len(batch) for batch in batches)
        with self._pool() as pool:
            for batch in batches:
                if report.failure is None:
                    self._migrate_batch(
                        pool, batch, report=report, count=count, on_schema_done=on_schema_done
                    )
                else:
                    report.not_started.extend(schema.schema_name for schema in batch)

    def _migrate_batch(
        self,
        pool: ProcessPoolExecutor,
        batch: Sequence[TenantSchema],
        *,
        report: TenantMigrationReport,
        count: int,
        on_schema_done: SchemaDone | None,
    ) -> None:
        queue = deque(batch)
        running: dict[Future[tuple[str, str] | None], tuple[TenantSchema, float]] = {}
        while True:
            # At most one schema per worker is handed over, so that nothing queued inside
            # the pool would still start after a failure.
            while queue and report.failure is None and len(running) < self.processes:
                schema = queue.popleft()
                index = len(report.migrated) + len(running)
                future = pool.submit(
                    _migrate_in_worker, self.args, self.options, count, index, schema.schema_name
                )
                running[future] = (schema, time.monotonic())
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                schema, began = running.pop(future)
                try:
                    error = future.result()
                except Exception as exc:  # the worker died: BrokenProcessPool
                    error = _one_line(exc), traceback.format_exc()
                if error is None:
                    report.migrated.append(schema.schema_name)
                    if on_schema_done:
                        seconds = time.monotonic() - began
                        on_schema_done(schema, seconds, len(report.migrated), count)
                    continue
                failure = SchemaFailure(schema=schema, error=error[0], details=error[1])
                if report.failure is None:
                    report.failure = failure
                else:  # another schema that was already running when the first one failed
                    report.also_failed.append(failure)
        report.not_started.extend(schema.schema_name for schema in queue)


def tenants_migrate(
    *, processes: int, verbosity: int = 0, on_schema_done: SchemaDone | None = None
) -> TenantMigrationReport:
    """Bring every tenant schema (the template included) to the latest migrations.

    Schemas already there are skipped; the rest are migrated by `processes` workers, the
    template first. The first failure stops the run: the report names it, the schemas
    migrated before it stay migrated, and a rerun picks up the others.
    """
    began = time.monotonic()
    schemas = tenant_schemas()
    behind = schemas_behind(
        schema_names=[s.schema_name for s in schemas], leaves=migration_leaves()
    )
    report = TenantMigrationReport(
        up_to_date=[s.schema_name for s in schemas if s.schema_name not in behind]
    )
    todo = [s for s in schemas if s.schema_name in behind]
    if todo:
        template = [s for s in todo if s.schema_name == settings.TENANT_BASE_SCHEMA]
        others = [s for s in todo if s.schema_name != settings.TENANT_BASE_SCHEMA]
        # No more workers than schemas to migrate: each forked worker costs a process.
        workers = min(processes, len(todo))
        executor = TenantMigrationExecutor(processes=workers, verbosity=verbosity)
        executor.migrate(
            batches=[batch for batch in (template, others) if batch],
            report=report,
            on_schema_done=on_schema_done,
        )
    report.seconds = time.monotonic() - began
    return report
