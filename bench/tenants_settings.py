"""Settings of bench/tenants.py (its own process, its worker and its `migrate_schemas` runs):
the developer settings, plus the realtime app's migrations read from a throw-away copy, so the
benchmark can add a migration that adds a column in every tenant without touching the product
tree. AVISO_BENCH_REALTIME_MIGRATIONS names that copy (a package on PYTHONPATH)."""

import os

from config.settings.local import *  # noqa: F403

_copy = os.environ.get("AVISO_BENCH_REALTIME_MIGRATIONS")
MIGRATION_MODULES = {"realtime": _copy} if _copy else {}
