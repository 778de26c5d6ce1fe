"""A thousand tenants on one PostgreSQL (issue #17): what grows with the tenant count.

Provisions tenants in steps (half schools, half clinics, each with a small population: a few
users, a course with published grades and invoices / a dentist with confirmed appointments due
for a reminder) into a database of its own, and at each step measures:

* provisioning time per tenant (p50/p95 over the step; the product's onboarding path), and
  the time to seed its population (separately: it is the benchmark's, not onboarding's);
* a deploy's migration with nothing to do, and with a new migration that adds a column to
  one table (realtime_notification) in every tenant: the product's (`migrate_tenants`) and
  django-tenants' `migrate_schemas --executor=multiprocessing` for reference;
* a tenant page's request time and query count (Django test Client on the tenant's Host,
  signed in): the school administrator's dashboard and a dentist's schedule;
* the operators' monitor tick (console.monitor.monitor_snapshot): time and queries;
* each beat job's fan-out (overdue invoices, appointment reminders) on a real `celery worker`
  (prefork, two processes) from the moment beat's message is sent to the last tenant's run done;
* PostgreSQL's catalogue (pg_class rows, pg_catalog size, database size) and backend memory
  (one connection before and after touching every tenant's tables; every backend's RSS).

The new migrations live in a temporary copy of realtime/migrations (bench/tenants_settings.py);
the database, the copy and the worker are removed at the end. Loopback only.

Usage: .venv/bin/python bench/tenants.py [--steps 10,100,500,1000] [--max-tenants 1000]
       [--requests 20] [--name tenants] [--reuse-connection]
Writes bench/results/<name>.{json,md}.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, bench_env, drop_database, fresh_database, percentile, write_results
from bench.harness import start_celery_worker
from testing.servers import stop_process

DATABASE = "aviso_bench_tenants"
WORKER_APP_NAME = "bench-tenants-worker"
LOGS = ROOT / "var" / "bench"
JOBS = (
    ("invoices", "school", "school.tasks.invoices_daily"),
    ("reminders", "clinic", "clinic.tasks.appointment_reminders"),
)
NEW_COLUMN_TABLE = "realtime_notification"
FAN_OUT_TIMEOUT_S = 900
# Celery's "Task <name>[<id>] succeeded in 0.01s" / "raised ..." log lines, with the process.
TASK_LINE = re.compile(
    r"^\[[^\]]*?: \w+/(?P<proc>[\w-]+)\] Task (?P<name>[\w.]+)\[[^\]]+\] (?P<how>succeeded|raised)"
)


# --- set-up ----------------------------------------------------------------------------------


def migrations_copy() -> tuple[Path, str]:
    """A temporary importable copy of realtime/migrations; the benchmark's migrations go there."""
    root = Path(tempfile.mkdtemp(prefix="aviso-bench-tenants-"))
    package = "bench_realtime_migrations"
    shutil.copytree(
        ROOT / "realtime" / "migrations",
        root / package,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return root, package


def add_column_migration(package_dir: Path, *, step: str) -> str:
    """A migration after the latest one that adds a nullable column (what a deploy would do)."""
    names = sorted(p.stem for p in package_dir.glob("[0-9]*.py"))
    number = int(names[-1].split("_")[0]) + 1
    name = f"{number:04d}_bench_column_{step}"
    column = f"bench_column_{step}"
    (package_dir / f"{name}.py").write_text(
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('realtime', {names[-1]!r})]\n"
        "    operations = [\n"
        "        migrations.RunSQL(\n"
        f"            'ALTER TABLE {NEW_COLUMN_TABLE} ADD COLUMN {column} text NULL',\n"
        f"            'ALTER TABLE {NEW_COLUMN_TABLE} DROP COLUMN {column}',\n"
        "        )\n"
        "    ]\n"
    )
    return name


def start_worker(log: Path) -> subprocess.Popen[bytes]:
    """`celery worker` as deployed: prefork, two processes (this machine's cores)."""
    return start_celery_worker(log, hostname="bench-tenants", app_name=WORKER_APP_NAME)


# --- population ------------------------------------------------------------------------------


def slug_of(index: int) -> tuple[str, str, str]:
    """(slug, kind, domain) of tenant number `index`: schools and clinics alternate."""
    kind = "school" if index % 2 == 0 else "clinic"
    slug = f"{kind[0]}{index:04d}"
    return slug, kind, f"{slug}.bench"


def provision(index: int, *, fresh_connection: bool) -> tuple[float, float]:
    """Onboard tenant `index` the product's way, then seed it; (provision s, seed s).

    With `fresh_connection` each tenant is provisioned on a new database connection (its
    opening is timed): a backend that creates a tenant's schema keeps ~11 MiB of catalogue
    cache for it, and each further provisioning on it gets slower (0.5 s at the first tenant,
    5 s at the 60th on this machine), which is what a long-lived worker connection would see."""
    from django.db import connections, transaction
    from django_tenants.utils import tenant_context

    from testing.tenants import onboard

    slug, kind, domain = slug_of(index)
    if fresh_connection:
        connections.close_all()
    started = time.perf_counter()
    tenant = onboard(slug=slug, kind=kind, domain=domain, name=f"Bench {kind} {index}")
    provisioned = time.perf_counter()
    with tenant_context(tenant), transaction.atomic():
        (seed_school if kind == "school" else seed_clinic)(domain)
    return provisioned - started, time.perf_counter() - provisioned


def seed_school(domain: str) -> None:
    """Three students in a course with a published quiz; invoices due soon and one overdue
    (so the daily invoice job has work in every new school)."""
    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import user_create
    from school.clock import tenant_currency, tenant_today
    from school.models import Invoice
    from school.services import grades, invoices, structure

    admin = User.objects.get(role=Role.ADMINISTRATOR)
    students = [
        user_create(
            kind="school", email=f"student{i}@{domain}", role=Role.STUDENT, full_name=f"S {i}"
        )
        for i in range(3)
    ]
    today = tenant_today()
    subject = structure.subject_create(code="MATH", name="Mathematics")
    year = structure.school_year_create(
        name=str(today.year),
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=90),
    )
    term = structure.term_create(
        year=year,
        name=f"Spring {today.year}",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=60),
        entry_opens_on=today - timedelta(days=60),
        entry_closes_on=today + timedelta(days=75),
    )
    course = structure.course_create(term=term, subject=subject, group=None, name="Mathematics 9A")
    for student in students:
        structure.student_enrol(course=course, student=student)
    quiz = grades.assessment_create(course=course, title="Quiz 1", by=admin, max_score=Decimal(20))
    for i, student in enumerate(students):
        grades.grade_enter(assessment=quiz, student=student, by=admin, score=str(12 + i))
    grades.course_publish(course=course, by=admin)
    tuition = invoices.fee_create(name="Tuition (term)", amount="1200.00")
    for student in students:
        invoices.invoice_issue(
            student=student, fee=tuition, due_on=today + timedelta(days=2), by=admin
        )
    Invoice.objects.create(  # fell due last week, as if issued last term
        student=students[-1],
        fee=tuition,
        description="Tuition (last term)",
        amount=tuition.amount,
        currency=tenant_currency(),
        issued_on=today - timedelta(days=40),
        due_on=today - timedelta(days=7),
        issued_by=admin,
    )


def seed_clinic(domain: str) -> None:
    """A dentist's week, two chairs, three patients with confirmed appointments in the next
    hours (due for a reminder) and a request next week."""
    from datetime import time as clock

    from django.utils import timezone

    from accounts.roles import Role
    from accounts.services import user_create
    from clinic.models import Appointment, AppointmentType, Chair, ClinicSettings, WorkingHours
    from clinic.states import AppointmentState

    ClinicSettings.objects.get_or_create(pk=1)
    chairs = [Chair.objects.create(name=f"Chair {i}") for i in (1, 2)]
    checkup = AppointmentType.objects.create(name="Check-up", duration_minutes=30)
    dentist = user_create(
        kind="clinic", email=f"dentist@{domain}", role=Role.DENTIST, full_name="Dr. Bench"
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(dentist=dentist, weekday=day, starts=clock(9), ends=clock(17))
        for day in range(5)
    )
    patients = [
        user_create(
            kind="clinic", email=f"patient{i}@{domain}", role=Role.PATIENT, full_name=f"P {i}"
        )
        for i in range(3)
    ]
    now = timezone.now().replace(second=0, microsecond=0)
    # Written straight into the table, as history would be (the services book free slots
    # within working hours; the benchmark needs appointments due whatever the hour).
    for i, patient in enumerate(patients):
        starts = now + timedelta(hours=2 + i)
        Appointment.objects.create(
            patient=patient,
            dentist=dentist,
            chair=chairs[0],
            type=checkup,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            state=AppointmentState.CONFIRMED,
        )
    later = now + timedelta(days=7)
    Appointment.objects.create(
        patient=patients[0],
        dentist=dentist,
        chair=chairs[1],
        type=checkup,
        starts_at=later,
        ends_at=later + timedelta(minutes=30),
        state=AppointmentState.REQUESTED,
    )


# --- measurements ----------------------------------------------------------------------------


# A deploy's migration, two ways: the product's (./run and the Docker entrypoint: the public
# schema, then tenants.migrations_runner over the tenant schemas) and django-tenants' own
# parallel executor over every schema, for reference.
MIGRATE_COMMANDS = {
    "aviso": (["migrate_schemas", "--shared"], ["migrate_tenants"]),
    "django_tenants": (["migrate_schemas", "--executor=multiprocessing"],),
}


def migrate_all(how: str) -> float:
    started = time.perf_counter()
    for command in MIGRATE_COMMANDS[how]:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command, "-v", "0"],
            check=True,
            env=os.environ.copy(),
            cwd=ROOT,
            capture_output=True,
        )
    return time.perf_counter() - started


def migration_figures(*, package_dir: Path, step: int) -> dict[str, Any]:
    """For each way: a deploy with nothing to apply, then one adding a column everywhere."""
    figures: dict[str, Any] = {}
    for how in MIGRATE_COMMANDS:
        noop_s = migrate_all(how)
        label = f"{step}_{how}"
        migration = add_column_migration(package_dir, step=label)
        new_s = migrate_all(how)
        figures[how] = {
            "noop_s": round(noop_s, 1),
            "add_column_s": round(new_s, 1),
            "migration": migration,
            "schemas_with_new_column": schemas_with_column(f"bench_column_{label}"),
        }
    return figures


def page_figures(*, index: int, path: str, role: str, requests: int) -> dict[str, Any]:
    """Median, p95 and queries of `requests` signed-in GETs of `path` on tenant `index`."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from tenants.models import Tenant
    from testing.tenants import session_for

    slug, _kind, domain = slug_of(index)
    tenant = Tenant.objects.get(schema_name=slug)
    with tenant_context(tenant):
        user = User.objects.filter(role=role).order_by("pk").first()
    assert user is not None, f"{slug} has no {role}"
    client = Client(HTTP_HOST=domain)
    client.cookies["sessionid"] = session_for(tenant, user)
    for _ in range(3):  # warm-up: templates, URL resolvers, connection
        assert client.get(path).status_code == 200
    times, queries = [], []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries.append(len(captured))
    return {
        "tenant": slug,
        "path": path,
        "as": role,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "queries": max(queries),
    }


def monitor_figures(*, ticks: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from console.monitor import monitor_snapshot
    from tenants.db import use_public_schema

    use_public_schema()
    monitor_snapshot()  # warm-up
    times, queries, rows = [], [], 0
    for _ in range(ticks):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            snapshot = monitor_snapshot()
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
        rows = len(snapshot["tenants"])
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "queries": max(queries),
        "tenant_rows": rows,
    }


def task_lines(log: Path, offset: int, task_name: str) -> list[re.Match[str]]:
    text = log.read_bytes()[offset:].decode(errors="replace")
    found = (TASK_LINE.match(line) for line in text.splitlines())
    return [m for m in found if m and m["name"] == task_name]


def fan_out_figures(*, log: Path, kind: str, task_name: str) -> dict[str, Any]:
    """Send beat's message for one job and wait until every tenant's run is logged done."""
    from config.celery import app
    from tenants.selectors import active_tenants
    from tenants.tasks import fan_out_to_tenants

    expected = active_tenants(kind=kind).count()
    offset = log.stat().st_size
    started = time.perf_counter()
    fan_out_to_tenants.apply_async(
        kwargs={"kind": kind, "task_name": task_name}, headers={"_schema_name": "public"}
    )
    deadline = time.monotonic() + FAN_OUT_TIMEOUT_S
    done: list[re.Match[str]] = []
    while time.monotonic() < deadline:
        done = task_lines(log, offset, task_name)
        if len(done) >= expected:
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    queued = task_lines(log, offset, "tenants.tasks.fan_out_to_tenants")
    queue_line = next(
        (
            line
            for line in log.read_bytes()[offset:].decode(errors="replace").splitlines()
            if "tenants.tasks.fan_out_to_tenants[" in line and "succeeded in" in line
        ),
        "",
    )
    queue_s = re.search(r"succeeded in ([\d.]+)s", queue_line)
    assert app.conf.task_always_eager is False
    return {
        "tenants": expected,
        "done": len(done),
        "failed": sum(1 for m in done if m["how"] == "raised"),
        "seconds": round(elapsed, 2),
        "queueing_s": float(queue_s.group(1)) if queue_s else None,
        "fan_out_tasks": len(queued),
        "by_process": dict(sorted(Counter(m["proc"] for m in done).items())),
    }


def schemas_with_column(column: str) -> int:
    """How many schemas' NEW_COLUMN_TABLE has `column` (every tenant and the template)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = %s AND column_name = %s",
            [NEW_COLUMN_TABLE, column],
        )
        return int(cursor.fetchone()[0])


def catalogue_figures() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_class),"
            " (SELECT count(*) FROM pg_namespace),"
            " (SELECT coalesce(sum(pg_total_relation_size(oid)), 0) FROM pg_class"
            "  WHERE relnamespace = 'pg_catalog'::regnamespace),"
            " pg_database_size(current_database())"
        )
        classes, schemas, catalogue, database = cursor.fetchone()
    return {
        "pg_class_rows": classes,
        "schemas": schemas,
        "pg_catalog_mib": round(int(catalogue) / 2**20, 1),
        "database_mib": round(int(database) / 2**20, 1),
    }


def proc_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_figures(*, schemas: list[str]) -> dict[str, Any]:
    """One new connection's backend before and after reading a row of three tables in every
    tenant's schema (what a pooled connection serving all tenants ends up caching), and the
    RSS of every backend connected to the bench database."""
    import psycopg
    from psycopg import sql

    def backend(cursor: Any) -> dict[str, float]:
        cursor.execute("SELECT pg_backend_pid(), sum(total_bytes) FROM pg_backend_memory_contexts")
        pid, total = cursor.fetchone()
        return {
            "contexts_mib": round(int(total) / 2**20, 2),
            "rss_anon_mib": round(proc_kib(pid, "RssAnon") / 1024, 2),
        }

    with psycopg.connect(
        f"host=127.0.0.1 user=postgres dbname={DATABASE}", autocommit=True
    ) as conn:
        cursor = conn.cursor()
        fresh = backend(cursor)
        started = time.perf_counter()
        for schema in schemas:
            for table in ("realtime_notification", "accounts_user", "django_session"):
                cursor.execute(
                    sql.SQL("SELECT 1 FROM {}.{} LIMIT 1").format(
                        sql.Identifier(schema), sql.Identifier(table)
                    )
                )
                cursor.fetchall()
        sweep_s = time.perf_counter() - started
        touched = backend(cursor)
        cursor.execute(
            "SELECT pid, application_name FROM pg_stat_activity WHERE datname = %s",
            [DATABASE],
        )
        backends = cursor.fetchall()
    rss = [proc_kib(pid, "VmRSS") for pid, _ in backends]
    anon = [proc_kib(pid, "RssAnon") for pid, _ in backends]
    each = [
        {
            "application": name or "bench",
            "rss_mib": round(r / 1024, 1),
            "anon_mib": round(a / 1024, 1),
        }
        for (_, name), r, a in zip(backends, rss, anon, strict=True)
    ]
    return {
        "fresh_backend": fresh,
        "after_touching_every_tenant": touched,
        "touch_every_tenant_s": round(sweep_s, 2),
        "backends": len(backends),
        "backends_rss_mib": round(sum(rss) / 1024, 1),
        "backends_rss_anon_mib": round(sum(anon) / 1024, 1),
        "backends_each": each,
    }


# --- the run ---------------------------------------------------------------------------------


def measure_step(
    *,
    tenants: int,
    provision_s: list[float],
    seed_s: list[float],
    package_dir: Path,
    worker_log: Path,
    requests: int,
) -> dict[str, Any]:
    from tenants.selectors import customer_tenants

    print(f"[{tenants}] migrations", flush=True)
    migrations = migration_figures(package_dir=package_dir, step=tenants)
    print(f"[{tenants}] pages, monitor", flush=True)
    pages = {
        "school_dashboard": page_figures(
            index=0, path="/school/", role="administrator", requests=requests
        ),
        "clinic_schedule": page_figures(
            index=1, path="/clinic/schedule/", role="dentist", requests=requests
        ),
    }
    monitor = monitor_figures(ticks=requests)
    print(f"[{tenants}] fan-outs", flush=True)
    fan_outs = {
        job: fan_out_figures(log=worker_log, kind=kind, task_name=task) for job, kind, task in JOBS
    }
    schemas = list(customer_tenants().values_list("schema_name", flat=True))
    return {
        "tenants": tenants,
        "provision": {
            "count": len(provision_s),
            "p50_s": round(percentile(provision_s, 0.5), 3),
            "p95_s": round(percentile(provision_s, 0.95), 3),
            "max_s": round(max(provision_s), 3),
        },
        "seed": {
            "p50_s": round(percentile(seed_s, 0.5), 3),
            "p95_s": round(percentile(seed_s, 0.95), 3),
        },
        "migrate": migrations,
        "pages": pages,
        "monitor": monitor,
        "fan_out": fan_outs,
        "catalogue": catalogue_figures(),
        "memory": memory_figures(schemas=schemas),
    }


def targets(steps: list[dict[str, Any]]) -> str:
    """Issue #17's targets, checked at the largest step (pages against the smallest)."""
    first, last = steps[0], steps[-1]
    deploy = last["migrate"]["aviso"]

    def within(name: str) -> tuple[str, bool]:
        before, after = first["pages"][name]["median_ms"], last["pages"][name]["median_ms"]
        change = (after - before) / before * 100
        return f"{change:+.1f} % ({before} → {after} ms)", change <= 10

    checks = [
        (
            "provisioning p95 < 1 s",
            f"{last['provision']['p95_s']} s",
            last["provision"]["p95_s"] < 1,
        ),
        (
            "no-op deploy migration < 60 s",
            f"{deploy['noop_s']} s",
            deploy["noop_s"] < 60,
        ),
        (
            "new column in every tenant < 3 min",
            f"{deploy['add_column_s']} s ({deploy['schemas_with_new_column']} schemas)",
            deploy["add_column_s"] < 180,
        ),
        ("school dashboard within 10 % of the first step", *within("school_dashboard")),
        ("clinic schedule within 10 % of the first step", *within("clinic_schedule")),
        (
            "monitor tick < 100 ms",
            f"{last['monitor']['median_ms']} ms",
            last["monitor"]["median_ms"] < 100,
        ),
        *(
            (
                f"fan-out {job} < 60 s, all done",
                f"{f['seconds']} s, {f['done'] - f['failed']}/{f['tenants']}",
                f["seconds"] < 60 and f["done"] - f["failed"] == f["tenants"],
            )
            for job, f in last["fan_out"].items()
        ),
    ]
    return (
        f"Targets (issue #17) at {last['tenants']} tenants:\n\n"
        "| target | measured | met |\n|---|---|---|\n"
        + "".join(f"| {what} | {got} | {'yes' if ok else 'NO'} |\n" for what, got, ok in checks)
    )


def table(figures: dict[str, Any]) -> str:
    steps = figures["steps"]

    def row(label: str, cell: Any) -> str:
        return f"| {label} | " + " | ".join(str(cell(s)) for s in steps) + " |\n"

    def page(name: str) -> Any:
        return lambda s: f"{s['pages'][name]['median_ms']} ms, {s['pages'][name]['queries']} q"

    def migrate(how: str, figure: str) -> Any:
        def cell(s: dict[str, Any]) -> str:
            m = s["migrate"][how]
            count = f" ({m['schemas_with_new_column']})" if figure == "add_column_s" else ""
            return f"{m[figure]} s{count}"

        return cell

    def fan(job: str) -> Any:
        def cell(s: dict[str, Any]) -> str:
            f = s["fan_out"][job]
            spread = "/".join(str(v) for v in f["by_process"].values())
            failed = f", {f['failed']} failed" if f["failed"] else ""
            return f"{f['seconds']} s ({f['done']}/{f['tenants']}{failed}; {spread})"

        return cell

    header = "| tenants | " + " | ".join(str(s["tenants"]) for s in steps) + " |\n"
    header += "|---|" + "---|" * len(steps) + "\n"
    body = (
        row(
            "provisioning p50 / p95 (this step's tenants)",
            lambda s: f"{s['provision']['p50_s']} / {s['provision']['p95_s']} s",
        )
        + row("seeding the population p50 (bench only)", lambda s: f"{s['seed']['p50_s']} s")
        + row("deploy migration, nothing to do", migrate("aviso", "noop_s"))
        + row(
            "deploy migration, a new column in every tenant (schemas that have it)",
            migrate("aviso", "add_column_s"),
        )
        + row(
            "reference: django-tenants' executor, nothing to do",
            migrate("django_tenants", "noop_s"),
        )
        + row(
            "reference: django-tenants' executor, a new column (schemas that have it)",
            migrate("django_tenants", "add_column_s"),
        )
        + row("school dashboard: median, queries", page("school_dashboard"))
        + row("clinic schedule: median, queries", page("clinic_schedule"))
        + row(
            "monitor tick: median, queries",
            lambda s: f"{s['monitor']['median_ms']} ms, {s['monitor']['queries']} q",
        )
        + row("fan-out: overdue invoices (done; per process)", fan("invoices"))
        + row("fan-out: appointment reminders (done; per process)", fan("reminders"))
        + row("pg_class rows", lambda s: f"{s['catalogue']['pg_class_rows']:,}")
        + row(
            "pg_catalog size / database size",
            lambda s: f"{s['catalogue']['pg_catalog_mib']} / {s['catalogue']['database_mib']} MiB",
        )
        + row(
            "one backend after touching every tenant (contexts / RssAnon)",
            lambda s: (
                f"{s['memory']['after_touching_every_tenant']['contexts_mib']} / "
                f"{s['memory']['after_touching_every_tenant']['rss_anon_mib']} MiB"
            ),
        )
        + row(
            "all backends of the bench: count, RSS (anonymous)",
            lambda s: (
                f"{s['memory']['backends']}, {s['memory']['backends_rss_mib']} MiB "
                f"({s['memory']['backends_rss_anon_mib']} MiB)"
            ),
        )
    )
    return (
        f"# A thousand tenants on one PostgreSQL ({figures['measured_by']})\n\n"
        f"{header}{body}\n{targets(steps)}\n"
        "Provisioning is the product's onboarding (validation, the template's script replayed, "
        "Site, first administrator's invitation), each tenant on a database connection "
        f"{figures['provisioning_connection']}; seeding the benchmark's population is timed "
        "apart. The deploy migration is the product's (`migrate_schemas --shared`, then "
        "`migrate_tenants`: only the schemas behind, template first, "
        f"{figures['migration_processes']} processes); the reference is django-tenants' "
        "`migrate_schemas --executor=multiprocessing` over every schema. Each adds its own "
        f"nullable column to `{NEW_COLUMN_TABLE}`. Pages: median of "
        f"{figures['requests']} signed-in requests on the first school and the first clinic "
        "(queries include django-tenants' `SET search_path`). Fan-out: from sending beat's "
        "message to the last tenant's run logged done by a `celery worker` with two prefork "
        "processes; tenants of earlier steps were already reminded, so their runs find nothing "
        "new (the jobs are idempotent). Memory: a new connection after reading three tables in "
        "every tenant's schema; RSS of every backend connected to the bench database.\n"
    )


def report(
    args: argparse.Namespace,
    *,
    steps: list[int],
    results: list[dict[str, Any]],
    processes: int,
    wall_s: float,
) -> None:
    done = [r["tenants"] for r in results]
    partial = "" if done == steps else f"; measured so far: {','.join(map(str, done))}"
    figures = {
        "measured_by": f"steps {','.join(map(str, steps))}{partial}, {os.cpu_count()} cores",
        "steps_requested": steps,
        "complete": done == steps,
        "requests": args.requests,
        "provisioning_connection": "reused" if args.reuse_connection else "new per tenant",
        "migration_processes": processes,
        "wall_s": round(wall_s, 1),
        "steps": results,
    }
    write_results(args.name, figures, table(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", default="10,100,500,1000")
    parser.add_argument("--max-tenants", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--name", default="tenants", help="results file name")
    parser.add_argument(
        "--reuse-connection",
        action="store_true",
        help="provision every tenant on one database connection (default: a new one each)",
    )
    args = parser.parse_args()
    steps = sorted({int(s) for s in args.steps.split(",") if int(s) <= args.max_tenants})
    if not steps:
        parser.error("no step within --max-tenants")

    # Stopped with SIGTERM (or SIGINT, which a shell's background job ignores), the run still
    # stops its worker and drops its database and migrations copy (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    copy_root, package = migrations_copy()
    LOGS.mkdir(parents=True, exist_ok=True)
    worker_log = LOGS / f"tenants-worker-{os.getpid()}.log"
    worker: subprocess.Popen[bytes] | None = None
    fresh_database(DATABASE)
    os.environ.update(bench_env(DATABASE))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.tenants_settings",
            "DJANGO_DEBUG": "False",
            "DJANGO_ALLOWED_HOSTS": ".bench,localhost",
            "AVISO_BENCH_REALTIME_MIGRATIONS": package,
            "PYTHONPATH": os.pathsep.join([str(copy_root), str(ROOT)]),
        }
    )
    sys.path.insert(0, str(copy_root))
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--tenant", "-v", "0"],
            check=True,
            env=os.environ.copy(),
        )
        import django

        django.setup()
        from django.conf import settings

        worker = start_worker(worker_log)
        provision_s: list[float] = []
        seed_s: list[float] = []
        made = 0
        for step in steps:
            print(f"[{step}] provisioning {step - made} tenants", flush=True)
            step_started = time.perf_counter()
            step_provision, step_seed = [], []
            while made < step:
                p, s = provision(made, fresh_connection=not args.reuse_connection)
                step_provision.append(p)
                step_seed.append(s)
                made += 1
            provision_s += step_provision
            seed_s += step_seed
            results.append(
                measure_step(
                    tenants=step,
                    provision_s=step_provision,
                    seed_s=step_seed,
                    package_dir=copy_root / package,
                    worker_log=worker_log,
                    requests=args.requests,
                )
            )
            results[-1]["step_wall_s"] = round(time.perf_counter() - step_started, 1)
            # Written after every step: a run cut short keeps the steps it measured.
            report(
                args,
                steps=steps,
                results=results,
                processes=getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2),
                wall_s=time.perf_counter() - started,
            )
    finally:
        if worker is not None:
            stop_process(worker, timeout=30)
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)
        shutil.rmtree(copy_root, ignore_errors=True)


if __name__ == "__main__":
    main()
