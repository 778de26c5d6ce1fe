"""A task for the tests of the workers' database connections (test_celery_db.py), included in
a real worker with `--include tests.config.celery_tasks`."""

from django.db import connection

from config.celery import app
from tenants.db import current_schema_name


@app.task(name="tests.schema_and_backend")
def schema_and_backend() -> list[object]:
    """The schema this task ran in and the PostgreSQL backend (connection) it ran on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema(), pg_backend_pid()")
        schema, pid = cursor.fetchone()
    return [current_schema_name(), schema, pid]
