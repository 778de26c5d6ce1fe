"""A 1,000-row people CSV on a fresh school: preview, import (one transaction, until the page
can say "done"), invitations (built, stamped and handed to the mail backend after commit), and
the same invitations sent one by one (person_invite per person) for comparison.

Usage: .venv/bin/python bench/people_import.py [--rows 1000] [--runs 3]
Writes bench/results/people-import.{json,md}. Runs the import in this process (what the worker
runs), with Django's in-memory mail backend: SMTP time is the mail server's.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_env, drop_database, fresh_database, write_results

DATABASE = "aviso_bench_people_import"


def school_csv(rows: int, domain: str) -> bytes:
    lines = ["role,full_name,email,enrolment_number,group,children,language"]
    for i in range(rows):
        if i % 3 == 2:
            lines.append(f"guardian,Guardian {i},g{i}@{domain},,,s{i - 1}@{domain},es-mx")
        else:
            lines.append(f"student,Student {i},s{i}@{domain},{domain.split('.')[0]}-{i:05d},1° A,,")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    fresh_database(DATABASE)
    os.environ.update(bench_env(DATABASE))
    import django

    django.setup()
    from django.core import mail
    from django.db import connection, connections, transaction
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import user_create
    from people.imports import services
    from people.models import ImportJob
    from people.services import person_invite
    from school.models import ClassGroup
    from tenants.services import tenant_create, tenant_provision

    figures: dict[str, list[float]] = {
        "preview_s": [],
        "import_s": [],
        "invitations_s": [],
        "one_by_one_invitations_s": [],
    }
    queries: dict[str, int] = {}

    @contextmanager
    def counting() -> Iterator[list[int]]:
        count = [0]

        def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            yield count

    try:
        tenant = tenant_create(
            name="Bench School",
            slug="bench_school",
            kind="school",
            domains=["bench-school.bench"],
            admin_email="admin@bench-school.bench",
            provision_async=False,
        )
        tenant_provision(tenant=tenant)
        with tenant_context(tenant):
            admin = user_create(
                kind="school", email="boss@bench-school.bench", role=Role.ADMINISTRATOR
            )
            ClassGroup.objects.create(name="1° A")
            marks: dict[str, float] = {}
            real_finished, real_invited = services._finished, services._invited

            def finished(job: ImportJob) -> None:
                marks["finished"] = time.perf_counter()
                real_finished(job)

            def invited(job: ImportJob, count: int) -> None:
                marks["invited"] = time.perf_counter()
                real_invited(job, count)

            services._finished, services._invited = finished, invited
            for run in range(args.runs):
                data = school_csv(args.rows, f"run{run}.bench")
                started = time.perf_counter()
                with counting() as preview_queries:
                    text, preview = services.preview_file(data=data)
                figures["preview_s"].append(time.perf_counter() - started)
                assert preview.ready, preview.problem_rows[:3]
                queries["preview"] = preview_queries[0]
                # as import_start saves it (its queueing is left out: the run is timed here)
                job = ImportJob.objects.create(
                    created_by=admin, file_name="bench.csv", content=text, row_count=args.rows
                )
                mail.outbox = []
                started = time.perf_counter()
                with counting() as run_queries:
                    if os.environ.get("BENCH_PROFILE"):
                        import cProfile
                        import pstats

                        with cProfile.Profile() as profile:
                            services.people_import_run(job_id=job.pk)
                        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
                    else:
                        services.people_import_run(job_id=job.pk)
                figures["import_s"].append(marks["finished"] - started)
                figures["invitations_s"].append(marks["invited"] - marks["finished"])
                queries["import"] = run_queries[0]
                assert len(mail.outbox) == args.rows, len(mail.outbox)
                # the same people invited again, one person_invite each (before the bulk path)
                people = list(User.objects.filter(email__endswith=f"@run{run}.bench"))
                mail.outbox = []
                started = time.perf_counter()
                with transaction.atomic():
                    for person in people:
                        person_invite(person=person, invited_by=admin)
                figures["one_by_one_invitations_s"].append(time.perf_counter() - started)
                assert len(mail.outbox) == args.rows
    finally:
        connections.close_all()
        drop_database(DATABASE)

    medians = {name: round(statistics.median(values), 3) for name, values in figures.items()}
    result = {"rows": args.rows, "runs": args.runs, "median": medians, "queries": queries}
    table = (
        f"# People CSV import ({args.rows:,} rows, median of {args.runs} runs)\n\n"
        "| step | seconds | queries |\n|---|---|---|\n"
        f"| preview (read, check every row) | {medians['preview_s']} | {queries['preview']} |\n"
        f"| import (one transaction, until the job is done) | {medians['import_s']} | "
        f"{queries['import']} (with the invitations) |\n"
        f"| invitations after commit (bulk: one UPDATE, one mail connection) | "
        f"{medians['invitations_s']} | |\n"
        f"| the same invitations one by one (person_invite each) | "
        f"{medians['one_by_one_invitations_s']} | |\n\n"
        "A fresh school; two students then a guardian of the second, in one group. Run in "
        "process (what the Celery worker runs); mail to Django's in-memory backend. One by one, "
        "each invitation costs about five queries (allauth reads the addresses for every token).\n"
    )
    write_results("people-import", result, table)


if __name__ == "__main__":
    main()
