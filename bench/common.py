"""Shared set-up for benchmarks: a throw-away database with the platform migrated."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PSQL = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1"]


def bench_env(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_KEY_PREFIX": f"{database}-{os.getpid()}",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # The benchmarks publish testing.notifications.TEST_MESSAGE (servers and this process).
        "AVISO_EXTRA_NOTIFICATION_MODULES": "testing.notifications",
    }


def fresh_database(database: str) -> None:
    subprocess.run([*PSQL, "-c", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'], check=True)
    subprocess.run([*PSQL, "-c", f'CREATE DATABASE "{database}"'], check=True)
    env = bench_env(database)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate_schemas", "--shared", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "platform_setup"], env=env, check=True, capture_output=True)


def drop_database(database: str) -> None:
    subprocess.run([*PSQL, "-c", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'], check=True)


def write_results(name: str, figures: dict[str, object], table: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamped = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **figures}
    (RESULTS / f"{name}.json").write_text(json.dumps(stamped, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(table)
    print(table)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
