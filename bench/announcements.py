"""A school-wide announcement to 1,000 people, on this machine: how long the real service
takes (`announcement_send`: audience resolution, ONE notify with bulk rows, the recipient
rows, commit) and when the last recipient's open socket has it after the commit.

One school, `--recipients` students each with an open, authenticated socket spread over
`--daphnes` Daphne processes, an administrator who announces to the whole school
(students only, so the recipients are exactly the sockets) `--rounds` times. Each process's
hub fans the one batch message out to its own sockets (realtime.hub), so the publisher sends
one message per announcement, not one per person.

Usage: .venv/bin/python bench/announcements.py [--recipients 1000] [--daphnes 2] [--rounds 5]
Writes bench/results/announcements.{json,md}.
"""

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile, write_results
from bench.harness import TENANTS, AvisoClient, Servers, make_population, measured_on_fresh_servers

DATABASE = "aviso_bench_announcements"
SCHOOL = TENANTS[:1]


def _admin() -> int:
    from django_tenants.utils import schema_context

    from accounts.models import User

    with schema_context(SCHOOL[0][0]):
        admin = User.objects.create_user(email=f"announcer@{SCHOOL[0][1]}", role="administrator")
    return int(admin.pk)


def _announce(admin_id: int, title: str) -> tuple[float, float, dict[int, int]]:
    """(commit time, seconds the service took, {user id: seq}) of one announcement."""
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from accounts.models import User
    from bench.harness import stamp_commit
    from realtime.models import Notification
    from school.models import Announcement, AnnouncementReach, AnnouncementScope
    from school.selectors_announcements import Audience
    from school.services.announcements import announcement_send

    with schema_context(SCHOOL[0][0]):
        admin = User.objects.get(pk=admin_id)
        started = time.perf_counter()
        with transaction.atomic():
            stamp = stamp_commit()
            announcement = announcement_send(
                author=admin,
                title=title,
                body="The school is closed on Friday.",
                audience=Audience(scope=AnnouncementScope.SCHOOL),
                reach=AnnouncementReach.MEMBERS,
            )
        took = time.perf_counter() - started
        seqs = dict(
            Notification.objects.filter(
                pk__in=announcement.recipients.values("notification_id")
            ).values_list("recipient_id", "seq")
        )
        assert Announcement.objects.get(pk=announcement.pk).recipient_count == len(seqs)
        connection.close()
    return stamp[0], took, seqs


async def measure(args: argparse.Namespace, servers: Servers) -> dict[str, Any]:
    from channels.db import database_sync_to_async

    plans = await database_sync_to_async(make_population)(args.recipients, SCHOOL)
    admin_id = await database_sync_to_async(_admin)()
    ports = servers.ports
    clients = [AvisoClient(plan, ports[i % len(ports)]) for i, plan in enumerate(plans)]
    by_user = {plan["user_id"]: client for plan, client in zip(plans, clients, strict=True)}
    tasks = []
    for batch in range(0, len(clients), 100):
        chunk = clients[batch : batch + 100]
        tasks += [asyncio.create_task(c.run()) for c in chunk]
        await asyncio.gather(*(asyncio.wait_for(c.ready.wait(), 120) for c in chunk))
    await asyncio.sleep(2)

    rounds = []
    for r in range(args.rounds):
        committed, took, all_seqs = await database_sync_to_async(_announce)(admin_id, f"a{r}")
        # The school's onboarding administrator is among "the whole school" too, socketless.
        seqs = {uid: seq for uid, seq in all_seqs.items() if uid in by_user}
        deadline = time.time() + 30
        while time.time() < deadline:
            if all(seq in by_user[uid].received for uid, seq in seqs.items()):
                break
            await asyncio.sleep(0.05)
        arrivals = [
            (by_user[uid].received[seq] - committed) * 1000
            for uid, seq in seqs.items()
            if seq in by_user[uid].received
        ]
        rounds.append(
            {
                "recipients": len(all_seqs),
                "watched": len(seqs),
                "delivered": len(arrivals),
                "service_ms": round(took * 1000, 1),
                "first_ms": round(min(arrivals), 1) if arrivals else None,
                "p50_ms": round(percentile(arrivals, 0.5), 1),
                "last_ms": round(max(arrivals), 1) if arrivals else None,
            }
        )
        await asyncio.sleep(1)

    for c in clients:
        await c.close()
    for t in tasks:
        t.cancel()
    lasts = [r["last_ms"] for r in rounds if r["last_ms"] is not None]
    services = [r["service_ms"] for r in rounds]
    return {
        "recipients": args.recipients,
        "daphne_processes": len(ports),
        "rounds": rounds,
        "service_ms_p50": round(percentile(services, 0.5), 1),
        "last_ms_p50": round(percentile(lasts, 0.5), 1),
        "last_ms_max": round(max(lasts), 1) if lasts else None,
        "lost": sum(r["watched"] - r["delivered"] for r in rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--daphnes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    f = measured_on_fresh_servers(
        database=DATABASE, daphnes=args.daphnes, measure=lambda servers: measure(args, servers)
    )
    rows = "".join(
        f"| {i + 1} | {r['recipients']} | {r['delivered']}/{r['watched']} | {r['service_ms']} | "
        f"{r['first_ms']} | {r['p50_ms']} | {r['last_ms']} |\n"
        for i, r in enumerate(f["rounds"])
    )
    table = (
        f"# A school-wide announcement to {f['recipients']} people "
        f"({f['daphne_processes']} Daphne processes)\n\n"
        "`announcement_send` (one `notify`, bulk rows) to every student of one school, each "
        "with an open socket; times after the commit are when each socket had it.\n\n"
        "| round | recipients | delivered to open sockets | service (ms, commit included) | "
        "first after commit (ms) | p50 (ms) | last recipient (ms) |\n"
        "|---|---|---|---|---|---|---|\n"
        + rows
        + f"\nLast recipient after commit: p50 {f['last_ms_p50']} ms, max {f['last_ms_max']} ms;"
        f" service p50 {f['service_ms_p50']} ms; not delivered: {f['lost']}.\n\n"
        "Client, publisher, PostgreSQL, Redis and Daphne share this machine's 2 cores (and, "
        "when measured, other people's test runs).\n"
    )
    write_results("announcements", f, table)


if __name__ == "__main__":
    main()
