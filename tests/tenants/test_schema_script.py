"""A new tenant's schema is made by replaying the template's script (tenants.schema_script):
it must be the template's twin, down to the names of its constraints and indexes (a later
migration drops or alters them by name), with the template's rows and sequence positions;
where pg_dump cannot run, onboarding still works, the slow way."""

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context

from tenants.models import TemplateScript
from testing.tenants import onboard

pytestmark = pytest.mark.django_db


def _structure(schema_name: str) -> dict[str, set[tuple[Any, ...]]]:
    """What a migration relies on: tables and their columns, constraints and indexes by name
    (constraint columns by name: the template keeps dropped columns' numbers, a copy does not)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   a.attidentity, pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = %s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            """,
            [schema_name],
        )
        columns = set(cursor.fetchall())
        cursor.execute(
            """
            SELECT t.relname, con.conname, con.contype, con.condeferrable, con.condeferred,
                   (SELECT array_agg(k.attname ORDER BY k.attname) FROM pg_attribute k
                    WHERE k.attrelid = con.conrelid AND k.attnum = ANY(con.conkey)),
                   r.relname
            FROM pg_constraint con
            JOIN pg_class t ON t.oid = con.conrelid
            LEFT JOIN pg_class r ON r.oid = con.confrelid
            JOIN pg_namespace n ON n.oid = con.connamespace
            WHERE n.nspname = %s
            """,
            [schema_name],
        )
        constraints = {tuple(map(str, row)) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = %s", [schema_name]
        )
        indexes = set(cursor.fetchall())
    return {"columns": columns, "constraints": constraints, "indexes": indexes}


def _rows(schema_name: str) -> dict[str, set[tuple[Any, ...]]]:
    quoted = connection.ops.quote_name(schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {quoted}.django_migrations")  # noqa: S608
        history = set(cursor.fetchall())
        cursor.execute(f"SELECT id, app_label, model FROM {quoted}.django_content_type")  # noqa: S608
        content_types = set(cursor.fetchall())
    return {"history": history, "content_types": content_types}


def test_a_new_tenants_schema_is_the_templates_twin() -> None:
    # when a clinic is onboarded
    onboard(slug="twin_dental", kind="clinic", domain="twin-dental.test")
    # then its schema has the template's tables, columns, constraints and indexes, by name
    # (the old clone_schema renamed unique constraints such as announcement_recipient_once)
    template, twin = _structure(settings.TENANT_BASE_SCHEMA), _structure("twin_dental")
    assert twin == template
    assert ("school_announcementrecipient", "announcement_recipient_once") in twin["indexes"]
    # and the template's rows: the migration history and content types, same ids
    assert _rows("twin_dental") == _rows(settings.TENANT_BASE_SCHEMA)
    assert _rows("twin_dental")["history"]
    # and its sequences go on after the copied rows rather than collide with them
    with schema_context("twin_dental"):
        highest = max(ContentType.objects.values_list("id", flat=True))
        added = ContentType.objects.create(app_label="probe", model="probe")
        assert added.id > highest


def test_the_templates_script_is_rendered_once_per_template_state(tmp_path: Path) -> None:
    # given no script kept yet (as after a deploy that migrated the template), and a pg_dump
    # that notes each time it runs
    TemplateScript.objects.all().delete()
    runs = tmp_path / "runs"
    pg_dump = tmp_path / "pg_dump"
    pg_dump.write_text(f'#!/bin/sh\necho run >> {runs}\nexec {shutil.which("pg_dump")} "$@"\n')
    pg_dump.chmod(0o755)
    with override_settings(TENANT_PG_DUMP=str(pg_dump)):
        # when two tenants are onboarded
        onboard(slug="first_school", kind="school", domain="first-school.test")
        onboard(slug="second_school", kind="school", domain="second-school.test")
    # then pg_dump ran once, and both schemas are the template's twins
    assert runs.read_text().splitlines() == ["run"]
    assert TemplateScript.objects.count() == 1
    template = _structure(settings.TENANT_BASE_SCHEMA)
    assert _structure("first_school") == template == _structure("second_school")


def test_without_pg_dump_onboarding_clones_the_slow_way(caplog: pytest.LogCaptureFixture) -> None:
    # given no script kept and no pg_dump to render one
    TemplateScript.objects.all().delete()
    with (
        override_settings(TENANT_PG_DUMP="/nonexistent/pg_dump"),
        caplog.at_level(logging.WARNING, logger="tenants.schema_script"),
    ):
        # when a school is onboarded
        tenant = onboard(slug="slow_school", kind="school", domain="slow-school.test")
    # then it is made all the same, with the template's tables and rows, and the log says why
    # it was slow
    assert tenant.status == "active"
    assert _rows("slow_school") == _rows(settings.TENANT_BASE_SCHEMA)
    tables = {column[0] for column in _structure("slow_school")["columns"]}
    assert tables == {column[0] for column in _structure(settings.TENANT_BASE_SCHEMA)["columns"]}
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "slow_school" in warning.getMessage()
    assert "/nonexistent/pg_dump" in warning.getMessage()
    assert not TemplateScript.objects.exists()
