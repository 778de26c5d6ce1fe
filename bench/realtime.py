"""Real-time figures of Aviso on this machine: sockets held, server memory per socket,
commit→client latency, deliveries per second.

Runs Daphne processes on a throw-away database, opens authenticated sockets across two
tenants with a real WebSocket client (asyncio, one process), then publishes notifications
through the real service (`notify`, committed, published after commit) and times them.

Usage: .venv/bin/python bench/realtime.py [--sockets 1000] [--daphnes 2] [--rate 50]
Writes bench/results/realtime.{json,md}.
"""

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    bench_env,
    drop_database,
    fresh_database,
    percentile,
    write_results,
)

DATABASE = "aviso_bench_realtime"
TENANTS = (("bench_a", "bench-a.bench"), ("bench_b", "bench-b.bench"))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_daphne(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "--websocket-max-message-size",
            "131072",
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_port(port: int) -> None:
    import socket

    for _ in range(200):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"daphne on {port} did not start")


def make_population(sockets: int) -> list[dict[str, Any]]:
    """Users and sessions; returns one connection plan per socket."""
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from tenants.models import Tenant
    from tenants.services import tenant_create, tenant_provision
    from tests.factories import session_for

    plans = []
    for slug, domain in TENANTS:
        tenant = tenant_create(
            name=slug,
            slug=slug,
            kind="school",
            domains=[domain],
            admin_email=f"admin@{domain}",
            provision_async=False,
        )
        tenant_provision(tenant=tenant)
    for index in range(sockets):
        slug, domain = TENANTS[index % 2]
        tenant = Tenant.objects.get(schema_name=slug)
        with tenant_context(tenant):
            user = User.objects.create_user(email=f"s{index}@{domain}", role="student")
        plans.append(
            {
                "schema": slug,
                "domain": domain,
                "user_id": user.pk,
                "session": session_for(tenant, user),
            }
        )
    return plans


class Client:
    def __init__(self, plan: dict[str, Any], port: int) -> None:
        self.plan = plan
        self.port = port
        self.received: dict[int, float] = {}
        self.ws: Any = None
        self.ready = asyncio.Event()

    async def run(self) -> None:
        import websockets

        domain = self.plan["domain"]
        self.ws = await websockets.connect(
            f"ws://{domain}:{self.port}/ws/",
            host="127.0.0.1",
            port=self.port,
            additional_headers={
                "Origin": f"http://{domain}",
                "Cookie": f"sessionid={self.plan['session']}",
            },
            open_timeout=60,
            ping_interval=None,
        )
        await self.ws.send(json.dumps({"v": 1, "type": "hello", "last_seq": 0}))
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame["type"] == "ready":
                self.ready.set()
            elif frame["type"] == "notification":
                self.received[frame["notification"]["seq"]] = time.time()


def stamp_commit() -> list[float]:
    """Call first inside the transaction: its callback runs before notify's own (they run in
    order), so the stamp is the commit itself, not the end of publishing."""
    from django.db import transaction

    stamp: list[float] = []
    transaction.on_commit(lambda: stamp.append(time.time()))
    return stamp


def publish(
    plans: list[dict[str, Any]], targets: list[int], title: str
) -> dict[tuple[int, int], float]:
    """notify() each target user in its own transaction; returns commit times by (socket, seq)."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from realtime.services import notify

    committed = {}
    for index in targets:
        plan = plans[index]
        with schema_context(plan["schema"]):
            with transaction.atomic():
                stamp = stamp_commit()
                (n,) = notify(
                    recipients=[plan["user_id"]], type="bench.ping", data={"title": title}
                )
            committed[(index, n.seq)] = stamp[0]
    return committed


def broadcast(
    plans: list[dict[str, Any]], title: str
) -> tuple[float, dict[tuple[int, int], float]]:
    """One notify per tenant to every user of it (a school-wide announcement)."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from realtime.services import notify

    by_user = {(p["schema"], p["user_id"]): i for i, p in enumerate(plans)}
    committed = {}
    started = time.time()
    for slug, _ in TENANTS:
        users = [p["user_id"] for p in plans if p["schema"] == slug]
        with schema_context(slug):
            with transaction.atomic():
                stamp = stamp_commit()
                created = notify(recipients=users, type="bench.broadcast", data={"title": title})
            for n in created:
                committed[(by_user[(slug, n.recipient_id)], n.seq)] = stamp[-1]
    return started, committed


async def measure(
    args: argparse.Namespace, ports: list[int], daphnes: list[subprocess.Popen[bytes]]
) -> dict[str, Any]:
    from channels.db import database_sync_to_async

    plans = await database_sync_to_async(make_population)(args.sockets)
    baseline_kib = sum(rss_kib(p.pid) for p in daphnes)
    clients = [Client(plan, ports[i % len(ports)]) for i, plan in enumerate(plans)]
    started = time.perf_counter()
    tasks = []
    for batch in range(0, len(clients), 100):
        chunk = clients[batch : batch + 100]
        tasks += [asyncio.create_task(c.run()) for c in chunk]
        await asyncio.gather(*(asyncio.wait_for(c.ready.wait(), 120) for c in chunk))
    connect_seconds = time.perf_counter() - started
    await asyncio.sleep(2)
    held = sum(1 for c in clients if c.ws is not None and c.ws.state.name == "OPEN")
    loaded_kib = sum(rss_kib(p.pid) for p in daphnes)

    # latency at a steady rate: one notification to one random socket per tick
    import random

    count = args.rate * args.seconds
    targets = [random.randrange(len(clients)) for _ in range(count)]
    committed: dict[tuple[int, int], float] = {}
    pub = database_sync_to_async(publish)
    t0 = time.perf_counter()
    for i, target in enumerate(targets):
        committed.update(await pub(plans, [target], f"t{i}"))
        delay = t0 + (i + 1) / args.rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.sleep(3)
    latencies = [
        (clients[idx].received[seq] - at) * 1000
        for (idx, seq), at in committed.items()
        if seq in clients[idx].received
    ]
    lost = len(committed) - len(latencies)

    # throughput: broadcast to every socket, several rounds
    rounds = 3
    first_commit = None
    all_committed: dict[tuple[int, int], float] = {}
    for r in range(rounds):
        begun, sent = await database_sync_to_async(broadcast)(plans, f"b{r}")
        first_commit = first_commit or begun
        all_committed.update(sent)
    deadline = time.time() + 60
    while time.time() < deadline:
        if all(seq in clients[idx].received for idx, seq in all_committed):
            break
        await asyncio.sleep(0.2)
    arrivals = [
        clients[idx].received[seq] for idx, seq in all_committed if seq in clients[idx].received
    ]
    broadcast_ms = [
        (clients[idx].received[seq] - at) * 1000
        for (idx, seq), at in all_committed.items()
        if seq in clients[idx].received
    ]
    deliveries_per_s = len(arrivals) / (max(arrivals) - (first_commit or 0)) if arrivals else 0.0

    for c in clients:
        if c.ws is not None:
            await c.ws.close()
    for t in tasks:
        t.cancel()
    return {
        "sockets_requested": args.sockets,
        "sockets_held": held,
        "daphne_processes": len(daphnes),
        "connect_seconds": round(connect_seconds, 2),
        "server_rss_baseline_mib": round(baseline_kib / 1024, 1),
        "server_rss_loaded_mib": round(loaded_kib / 1024, 1),
        "server_kib_per_socket": round((loaded_kib - baseline_kib) / max(1, held), 1),
        "steady_rate_per_s": args.rate,
        "steady_notifications": len(committed),
        "steady_lost": lost,
        "latency_p50_ms": round(percentile(latencies, 0.5), 2),
        "latency_p99_ms": round(percentile(latencies, 0.99), 2),
        "broadcast_deliveries": len(arrivals),
        "broadcast_expected": len(all_committed),
        "broadcast_latency_p50_ms": round(percentile(broadcast_ms, 0.5), 1),
        "broadcast_latency_p99_ms": round(percentile(broadcast_ms, 0.99), 1),
        "deliveries_per_s": round(deliveries_per_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--daphnes", type=int, default=2)
    parser.add_argument("--rate", type=int, default=50, help="notifications per second")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    fresh_database(DATABASE)
    os.environ.update(bench_env(DATABASE))
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--tenant", "-v", "0"],
        check=True,
        env=os.environ.copy(),
    )
    import django

    django.setup()
    from tests.servers import free_port

    ports = [free_port() for _ in range(args.daphnes)]
    daphnes = [start_daphne(port) for port in ports]
    try:
        for port in ports:
            wait_port(port)
        time.sleep(1)
        figures = asyncio.run(measure(args, ports, daphnes))
    finally:
        for process in daphnes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)
    f = figures
    rows = [
        ("sockets held", f"{f['sockets_held']} (connected in {f['connect_seconds']} s)"),
        (
            "server memory",
            f"{f['server_rss_baseline_mib']} MiB idle, {f['server_rss_loaded_mib']} MiB loaded",
        ),
        ("server memory per socket", f"{f['server_kib_per_socket']} KiB"),
        (
            f"commit→client latency at {f['steady_rate_per_s']}/s",
            f"p50 {f['latency_p50_ms']} ms, p99 {f['latency_p99_ms']} ms "
            f"({f['steady_lost']} of {f['steady_notifications']} not received)",
        ),
        (
            "broadcast to every socket, 3 rounds",
            f"{f['broadcast_deliveries']}/{f['broadcast_expected']} delivered, "
            f"p50 {f['broadcast_latency_p50_ms']} ms, p99 {f['broadcast_latency_p99_ms']} ms",
        ),
        ("deliveries per second (broadcast)", f"{f['deliveries_per_s']}"),
    ]
    table = (
        f"# Real-time ({f['sockets_held']}/{f['sockets_requested']} sockets on "
        f"{f['daphne_processes']} Daphne processes, 2 tenants)\n\n"
        "| figure | value |\n|---|---|\n"
        + "".join(f"| {name} | {value} |\n" for name, value in rows)
        + "\nClient, publisher, PostgreSQL, Redis and Daphne share this machine's 2 cores.\n"
    )
    write_results("realtime", figures, table)


if __name__ == "__main__":
    main()
