"""Tenant provisioning time: clone of the pre-migrated template vs a full migrate.

Usage: .venv/bin/python bench/onboarding.py [--tenants 20]
Writes bench/results/onboarding.{json,md}.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_env, drop_database, fresh_database, percentile, write_results

DATABASE = "aviso_bench_onboarding"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=20)
    args = parser.parse_args()

    fresh_database(DATABASE)
    os.environ.update(bench_env(DATABASE))
    import django

    django.setup()
    from django.test.utils import override_settings

    from tenants.services import tenant_create, tenant_provision

    def provision(slug: str) -> float:
        started = time.perf_counter()
        tenant = tenant_create(
            name=slug,
            slug=slug,
            kind="school" if len(slug) % 2 else "clinic",
            domains=[f"{slug.replace('_', '-')}.bench"],
            admin_email=f"admin@{slug.replace('_', '-')}.bench",
            provision_async=False,
        )
        tenant_provision(tenant=tenant)
        return time.perf_counter() - started

    try:
        cloned = [provision(f"clone_{i:03d}") for i in range(args.tenants)]
        with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
            migrated = [provision(f"migrate_{i:03d}") for i in range(args.tenants)]
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "mean_s": round(statistics.mean(values), 3),
            "p50_s": round(percentile(values, 0.5), 3),
            "p95_s": round(percentile(values, 0.95), 3),
            "max_s": round(max(values), 3),
        }

    figures = {
        "tenants_each": args.tenants,
        "clone": summary(cloned),
        "full_migrate": summary(migrated),
        "speedup_mean": round(statistics.mean(migrated) / statistics.mean(cloned), 2),
    }
    table = (
        f"# Tenant provisioning ({args.tenants} tenants each way)\n\n"
        "| method | mean s | p50 s | p95 s | max s |\n|---|---|---|---|---|\n"
        + "".join(
            f"| {name} | {s['mean_s']} | {s['p50_s']} | {s['p95_s']} | {s['max_s']} |\n"
            for name, s in (
                ("clone of template", figures["clone"]),
                ("full migrate", figures["full_migrate"]),
            )
        )
        + f"\nClone is {figures['speedup_mean']}x faster on average. Each provisioning includes "
        "validation, the schema, the Site row and the first administrator's invitation.\n"
    )
    write_results("onboarding", figures, table)


if __name__ == "__main__":
    main()
