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
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile, write_results
from bench.harness import (
    AvisoClient,
    Servers,
    broadcast,
    make_population,
    measured_on_fresh_servers,
    publish,
)

DATABASE = "aviso_bench_realtime"


async def measure(args: argparse.Namespace, servers: Servers) -> dict[str, Any]:
    from channels.db import database_sync_to_async

    plans = await database_sync_to_async(make_population)(args.sockets)
    baseline_kib = servers.rss_kib()
    ports = servers.ports
    clients = [AvisoClient(plan, ports[i % len(ports)]) for i, plan in enumerate(plans)]
    started = time.perf_counter()
    tasks = []
    for batch in range(0, len(clients), 100):
        chunk = clients[batch : batch + 100]
        tasks += [asyncio.create_task(c.run()) for c in chunk]
        await asyncio.gather(*(asyncio.wait_for(c.ready.wait(), 120) for c in chunk))
    connect_seconds = time.perf_counter() - started
    await asyncio.sleep(2)
    held = sum(1 for c in clients if c.ws is not None and c.ws.state.name == "OPEN")
    loaded_kib = servers.rss_kib()

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
        "daphne_processes": len(ports),
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

    figures = measured_on_fresh_servers(
        database=DATABASE, daphnes=args.daphnes, measure=lambda servers: measure(args, servers)
    )
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
