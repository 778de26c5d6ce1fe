from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.migrations_runner import TenantSchema, tenants_migrate
from tenants.schema_script import ScriptUnavailable, TemplateMoved, template_script


class Command(BaseCommand):
    help = (
        "Migrate every tenant schema (the template first) in parallel, skipping schemas already "
        "at the latest migrations; stops at the first failure, naming the tenant. Rerun to "
        "resume. The public schema is `migrate_schemas --shared`'s."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--processes",
            type=int,
            default=getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2),
            help="worker processes, each with one database connection (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        if options["processes"] < 1:
            raise CommandError("--processes must be at least 1")

        def schema_done(schema: TenantSchema, seconds: float, done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(
                    f"[{done}/{total}] migrated {schema.schema_name} ({schema.tenant_name}) "
                    f"in {seconds:.1f} s"
                )

        # -v 1 is this command's progress; Django's own migrate output per schema from -v 2.
        report = tenants_migrate(
            processes=options["processes"],
            verbosity=max(0, verbosity - 1),
            on_schema_done=schema_done,
        )
        if report.failure is not None:
            for failure in [report.failure, *report.also_failed]:
                if verbosity >= 1:
                    self.stderr.write(failure.details)
            for failure in report.also_failed:
                self.stderr.write(f"also {failure.summary()}")
            raise CommandError(
                f"{report.failure.summary()} -- {len(report.migrated)} schemas migrated, "
                f"{len(report.not_started)} not started; fix it and rerun to resume"
            )
        # The next tenant is made from the template as it is now: render its script here rather
        # than in the first onboarding after the deploy (tenants.schema_script).
        try:
            template_script()
        except (ScriptUnavailable, TemplateMoved) as exc:
            self.stderr.write(f"new tenants will be cloned the slow way: {exc}")
        if verbosity >= 1:
            self.stdout.write(
                f"tenant schemas: {len(report.migrated)} migrated, "
                f"{len(report.up_to_date)} already up to date ({report.seconds:.1f} s)"
            )
