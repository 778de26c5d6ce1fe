"""A tenant's schema three ways, and the product's whole onboarding.

* the template's script (tenants.schema_script: pg_dump's DDL replayed, rows copied), which
  onboarding uses;
* django-tenants' `clone_schema` of the template (what onboarding used before, and falls
  back to without pg_dump);
* `migrate` of an empty schema (every migration run).

Each way makes `--tenants` schemas in one transaction each, on a database of its own with
nothing else in it (bench/tenants.py measures how onboarding holds up to 1,000 tenants).

Usage: .venv/bin/python bench/onboarding.py [--tenants 20]
Writes bench/results/onboarding.{json,md}.
"""

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_env, drop_database, fresh_database, percentile, write_results

DATABASE = "aviso_bench_onboarding"


def summary(values: list[float]) -> dict[str, float]:
    return {
        "mean_s": round(statistics.mean(values), 3),
        "p50_s": round(percentile(values, 0.5), 3),
        "p95_s": round(percentile(values, 0.95), 3),
        "max_s": round(max(values), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=20)
    args = parser.parse_args()

    fresh_database(DATABASE)
    os.environ.update(bench_env(DATABASE))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema

    from tenants.schema_script import schema_create_from_template, template_script
    from testing.tenants import onboard

    def by_script(schema: str) -> None:
        schema_create_from_template(schema_name=schema)

    def by_clone_schema(schema: str) -> None:
        CloneSchema().clone_schema(
            settings.TENANT_BASE_SCHEMA, schema, "DATA", set_connection=False
        )

    def by_migrate(schema: str) -> None:
        connection.cursor().execute(f'CREATE SCHEMA "{schema}"')
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0
        )

    def timed(make: Callable[[str], None], prefix: str, *, atomic: bool = True) -> list[float]:
        """`atomic`: in one transaction, as onboarding does (migrate manages its own)."""
        seconds = []
        for i in range(args.tenants):
            started = time.perf_counter()
            with transaction.atomic() if atomic else contextlib.nullcontext():
                make(f"{prefix}_{i:03d}")
            connection.set_schema_to_public()  # type: ignore[attr-defined]
            seconds.append(time.perf_counter() - started)
        return seconds

    try:
        call_command("migrate_schemas", shared=True, verbosity=0)
        call_command("platform_setup", verbosity=0)
        template_script()  # rendered at the deploy (migrate_tenants), not by the first tenant
        ways = {
            "script": timed(by_script, "script"),
            "clone_schema": timed(by_clone_schema, "clone"),
            "migrate": timed(by_migrate, "migrate", atomic=False),
        }
        onboarding = []
        for i in range(args.tenants):
            started = time.perf_counter()
            onboard(
                slug=f"onboard_{i:03d}",
                kind="school" if i % 2 else "clinic",
                domain=f"onboard-{i:03d}.bench",
            )
            onboarding.append(time.perf_counter() - started)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)

    figures = {
        "tenants_each": args.tenants,
        "schema": {way: summary(seconds) for way, seconds in ways.items()},
        "onboarding": summary(onboarding),
    }
    labels = {
        "script": "the template's script (onboarding's way)",
        "clone_schema": "django-tenants' clone_schema of the template",
        "migrate": "migrate of an empty schema (its own transactions)",
    }
    table = (
        f"# A tenant's schema, three ways ({args.tenants} schemas each, one transaction each)\n\n"
        "| way | mean s | p50 s | p95 s | max s |\n|---|---|---|---|---|\n"
        + "".join(
            f"| {labels[way]} | {s['mean_s']} | {s['p50_s']} | {s['p95_s']} | {s['max_s']} |\n"
            for way, s in figures["schema"].items()
        )
        + f"\nThe whole onboarding ({args.tenants} tenants: validation, the schema by script, the "
        f"Site, the first administrator's invitation): p50 {figures['onboarding']['p50_s']} s, "
        f"p95 {figures['onboarding']['p95_s']} s. A database with only these tenants in it; "
        "bench/tenants.py measures the growth to 1,000 tenants.\n"
    )
    write_results("onboarding", figures, table)


if __name__ == "__main__":
    main()
