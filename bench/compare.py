"""Aviso side by side with the two usual alternatives, on this machine, in one run:

* aviso — config.asgi on Daphne: durable notifications, replay on reconnect (`notify`).
* polling — clients poll `GET /poll?after=<seq>` every second over keep-alive HTTP/1.1;
  bench/baselines/polling.py on Daphne reads the same Notification table (`notify` writes it).
* vanilla — the Channels tutorial's consumer on Daphne with stock channels-redis; the
  publisher calls `group_send` and writes nothing (its clock starts where a commit would be).

Each system gets the same Daphne process count and the same clients, one after the other:
connections held and memory per connection, an idle period, commit→client latency at
increasing rates, a broadcast to every client, then a reconnect storm (every server killed
with SIGKILL and restarted, clients reconnecting with full-jitter backoff like
static/aviso/socket.js, one broadcast sent while the servers are down).

Usage: .venv/bin/python bench/compare.py [--clients 1000] [--storm 2000] [--rates 10,50,200]
Writes bench/results/compare.{json,md,png}.
"""

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import RESULTS, ROOT, drop_database, percentile, write_results
from bench.harness import (
    SERVER_APP_NAME,
    AvisoClient,
    BenchClient,
    Servers,
    broadcast,
    cpu_seconds,
    make_population,
    prepare,
    publish,
    raise_open_files,
    ws_frame_bytes,
)

DATABASE = "aviso_bench_compare"
TENANT = (("bench_a", "bench-a.bench"),)  # one school: the broadcast is one group of everyone
POLL_INTERVAL_S = 1.0
SYSTEMS = ("aviso", "polling", "vanilla")
LABELS = {
    "aviso": "Aviso",
    "polling": "Polling 1 s",
    "vanilla": "Vanilla Channels",
}

Committed = dict[tuple[int, int], float]  # (client index, notification key) → commit time


# --- the baselines' clients ------------------------------------------------------------------


class PollingClient(BenchClient):
    """`GET /poll?after=<last seq>` every second on one keep-alive connection; a poll that
    fails is retried at the next tick, as a page's timer would."""

    def __init__(self, plan: dict[str, Any], port: int) -> None:
        super().__init__(plan, port)
        self.last_seq = 0
        self.phase = random.random() * POLL_INTERVAL_S
        self.open = False

    def retry_delay(self) -> float:
        return POLL_INTERVAL_S

    async def session(self) -> None:
        if self.phase:  # spread the first polls over the interval, as page loads would be
            await asyncio.sleep(self.phase)
            self.phase = 0
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.open = True
        self.mark_open()
        head = f"Host: {self.plan['domain']}\r\nCookie: sessionid={self.plan['session']}\r\n\r\n"
        next_at = time.monotonic()
        try:
            while not self.stopped:
                request = f"GET /poll?after={self.last_seq} HTTP/1.1\r\n{head}".encode()
                writer.write(request)
                await writer.drain()
                self.bytes_out += len(request)
                self.requests += 1
                headers = await reader.readuntil(b"\r\n\r\n")
                status = int(headers.split(b" ", 2)[1])
                length = 0
                for line in headers.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                self.bytes_in += len(headers) + len(body)
                if status != 200:
                    raise ValueError(f"poll answered {status}")
                now = time.time()
                answer = json.loads(body)
                for notification in answer["notifications"]:
                    self.received.setdefault(notification["seq"], now)
                self.last_seq = max(self.last_seq, answer["last_seq"])
                if not self.ready.is_set():
                    self.mark_ready()
                next_at += POLL_INTERVAL_S
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        finally:
            self.open = False
            writer.close()


class VanillaClient(BenchClient):
    """The tutorial's page: open the socket, print what arrives. Up to date once open."""

    def __init__(self, plan: dict[str, Any], port: int) -> None:
        super().__init__(plan, port)
        self.ws: Any = None

    async def session(self) -> None:
        import websockets

        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/ws/notify/{self.plan['user_id']}/",
            open_timeout=60,
            ping_interval=None,
            close_timeout=1,
        )
        self.mark_open()
        self.mark_ready()
        async for raw in self.ws:
            self.bytes_in += ws_frame_bytes(len(raw.encode() if isinstance(raw, str) else raw))
            self.received.setdefault(json.loads(raw)["message"]["id"], time.time())

    async def close(self) -> None:
        self.stopped = True
        if self.ws is not None:
            await self.ws.close()


# --- what differs per system: server app, client, how a notification is published ------------


class System:
    name = ""
    app = ""
    settings_module = "config.settings.local"

    def __init__(self, plans: list[dict[str, Any]]) -> None:
        self.plans = plans

    def client(self, plan: dict[str, Any], port: int) -> BenchClient:
        raise NotImplementedError

    async def send(self, targets: Sequence[int], title: str) -> Committed:
        """One notification to each target client's user, one at a time."""
        from channels.db import database_sync_to_async

        result: Committed = await database_sync_to_async(publish)(self.plans, targets, title)
        return result

    async def broadcast(self, count: int, title: str) -> Committed:
        """One notification to the users of the first `count` clients at once."""
        from channels.db import database_sync_to_async

        _, committed = await database_sync_to_async(broadcast)(self.plans[:count], title)
        return committed


class Aviso(System):
    name = "aviso"
    app = "config.asgi:application"

    def client(self, plan: dict[str, Any], port: int) -> BenchClient:
        return AvisoClient(plan, port)


class Polling(System):
    name = "polling"
    app = "bench.baselines.polling:application"

    def client(self, plan: dict[str, Any], port: int) -> BenchClient:
        return PollingClient(plan, port)


class Vanilla(System):
    name = "vanilla"
    app = "bench.baselines.vanilla:application"
    settings_module = "bench.baselines.vanilla_settings"

    def __init__(self, plans: list[dict[str, Any]]) -> None:
        super().__init__(plans)
        from channels_redis.core import RedisChannelLayer

        from bench.baselines.vanilla import EVERYONE, user_group

        self.everyone = EVERYONE
        self.user_group = user_group
        # The same stock configuration the servers read from vanilla_settings.
        self.layer = RedisChannelLayer(
            hosts=[os.environ["REDIS_URL"]], prefix=f"{os.environ['REDIS_KEY_PREFIX']}:vanilla"
        )
        self.next_id = 0

    def client(self, plan: dict[str, Any], port: int) -> BenchClient:
        return VanillaClient(plan, port)

    def message(self, title: str) -> dict[str, Any]:
        self.next_id += 1
        return {
            "id": self.next_id,
            "type": "bench.ping",
            "data": {"title": title},
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        }

    async def send(self, targets: Sequence[int], title: str) -> Committed:
        committed = {}
        for index in targets:
            message = self.message(title)
            at = time.time()
            await self.layer.group_send(
                self.user_group(self.plans[index]["user_id"]),
                {"type": "notify.message", "message": message},
            )
            committed[(index, message["id"])] = at
        return committed

    async def broadcast(self, count: int, title: str) -> Committed:
        message = self.message(title)
        at = time.time()
        await self.layer.group_send(self.everyone, {"type": "notify.message", "message": message})
        return {(index, message["id"]): at for index in range(count)}


# --- measuring -------------------------------------------------------------------------------


class Meter:
    """CPU of the server processes and of the PostgreSQL backends they opened (found by
    application_name), the whole redis-server's CPU (shared with anything else on the machine),
    and what the clients counted on their sockets."""

    def __init__(self, servers: Servers) -> None:
        import psycopg

        self.servers = servers
        self.pg = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        self.seen: dict[int, float] = {}
        self.redis_pid = self._redis_pid()

    @staticmethod
    def _redis_pid() -> int | None:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if (entry / "comm").read_text().strip() == "redis-server":
                        return int(entry.name)
                except OSError:
                    continue
        return None

    def backends(self) -> dict[int, float]:
        """CPU of every server backend seen so far, at its last sighting: a backend that has
        exited since (Django recycles connections after CONN_MAX_AGE) keeps its last figure."""
        rows = self.pg.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            (DATABASE, SERVER_APP_NAME),
        ).fetchall()
        for (pid,) in rows:
            cpu = cpu_seconds(pid)
            if cpu:
                self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))
        return dict(self.seen)

    async def sample(self) -> None:
        while True:
            await asyncio.sleep(1)
            self.backends()

    def snapshot(self, clients: Sequence[BenchClient]) -> dict[str, Any]:
        times = os.times()
        return {
            "at": time.time(),
            "server_cpu": self.servers.cpu_seconds(),
            "pg": self.backends(),
            "redis_cpu": cpu_seconds(self.redis_pid) if self.redis_pid else 0.0,
            "bench_cpu": times.user + times.system,
            "bytes_in": sum(c.bytes_in for c in clients),
            "bytes_out": sum(c.bytes_out for c in clients),
            "requests": sum(c.requests for c in clients),
        }

    @staticmethod
    def delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        pg = sum(cpu - before["pg"].get(pid, 0.0) for pid, cpu in after["pg"].items())
        return {
            "seconds": after["at"] - before["at"],
            "server_cpu_s": after["server_cpu"] - before["server_cpu"],
            "pg_cpu_s": pg,
            "redis_cpu_s": after["redis_cpu"] - before["redis_cpu"],
            "bench_cpu_s": after["bench_cpu"] - before["bench_cpu"],
            "bytes_in": after["bytes_in"] - before["bytes_in"],
            "bytes_out": after["bytes_out"] - before["bytes_out"],
            "requests": after["requests"] - before["requests"],
        }


def per_delivery(spent: dict[str, float], delivered: int) -> dict[str, float]:
    n = max(1, delivered)
    return {
        "server_cpu_ms_per_delivery": round(spent["server_cpu_s"] * 1000 / n, 3),
        "pg_cpu_ms_per_delivery": round(spent["pg_cpu_s"] * 1000 / n, 3),
        "cpu_ms_per_delivery": round((spent["server_cpu_s"] + spent["pg_cpu_s"]) * 1000 / n, 3),
        "bytes_per_delivery": round((spent["bytes_in"] + spent["bytes_out"]) / n, 1),
        "requests_per_s": round(spent["requests"] / max(spent["seconds"], 1e-9), 1),
        "redis_cpu_ms_per_delivery_shared": round(spent["redis_cpu_s"] * 1000 / n, 3),
        "window_s": round(spent["seconds"], 2),
    }


async def wait_delivered(
    clients: Sequence[BenchClient], committed: Committed, seconds: float
) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if all(key in clients[index].received for index, key in committed):
            return
        await asyncio.sleep(0.05)


def latencies_ms(clients: Sequence[BenchClient], committed: Committed) -> list[float]:
    return [
        (clients[index].received[key] - at) * 1000
        for (index, key), at in committed.items()
        if key in clients[index].received
    ]


async def connect(clients: Sequence[BenchClient], reconnect: bool) -> tuple[list[Any], float]:
    started = time.perf_counter()
    tasks = []
    for batch in range(0, len(clients), 100):
        chunk = clients[batch : batch + 100]
        tasks += [asyncio.create_task(c.run(reconnect=reconnect)) for c in chunk]
        waits = [asyncio.wait_for(c.ready.wait(), 120) for c in chunk]
        await asyncio.gather(*waits, return_exceptions=True)
    return tasks, time.perf_counter() - started


async def disconnect(clients: Sequence[BenchClient], tasks: Sequence[Any]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def measure(system: System, servers: Servers, args: argparse.Namespace) -> dict[str, Any]:
    meter = Meter(servers)
    sampler = asyncio.create_task(meter.sample())
    ports = servers.ports
    drain = POLL_INTERVAL_S * 3 if system.name == "polling" else 5.0
    figures: dict[str, Any] = {"label": LABELS[system.name], "servers": len(ports)}

    # connections held and memory per connection
    await asyncio.sleep(1)
    rss_idle = servers.rss_kib()
    clients = [system.client(p, ports[i % len(ports)]) for i, p in enumerate(system.plans)]
    clients = clients[: args.clients]
    tasks, connect_s = await connect(clients, reconnect=False)
    await asyncio.sleep(2)
    held = sum(1 for c in clients if c.ready.is_set())
    rss_loaded = servers.rss_kib()
    figures.update(
        clients=len(clients),
        held=held,
        connect_s=round(connect_s, 2),
        rss_idle_mib=round(rss_idle / 1024, 1),
        rss_loaded_mib=round(rss_loaded / 1024, 1),
        kib_per_connection=round((rss_loaded - rss_idle) / max(1, held), 1),
    )
    print(f"[{system.name}] {held}/{len(clients)} connected in {connect_s:.1f} s", flush=True)

    # the cost of just being connected
    before = meter.snapshot(clients)
    await asyncio.sleep(args.idle)
    idle = Meter.delta(before, meter.snapshot(clients))
    figures["idle"] = {
        "seconds": round(idle["seconds"], 1),
        "server_cpu_pct": round(idle["server_cpu_s"] / idle["seconds"] * 100, 1),
        "pg_cpu_pct": round(idle["pg_cpu_s"] / idle["seconds"] * 100, 1),
        "requests_per_s": round(idle["requests"] / idle["seconds"], 1),
        "bytes_per_s": round((idle["bytes_in"] + idle["bytes_out"]) / idle["seconds"], 1),
    }

    # commit→client latency at increasing rates, one notification to one random client each
    figures["rates"] = []
    for rate in args.rates:
        count = max(1, round(rate * args.seconds))
        targets = [random.randrange(len(clients)) for _ in range(count)]
        committed: Committed = {}
        before = meter.snapshot(clients)
        started = time.perf_counter()
        for i, target in enumerate(targets):
            committed.update(await system.send([target], f"r{rate}.{i}"))
            delay = started + (i + 1) / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        achieved = count / (time.perf_counter() - started)
        await wait_delivered(clients, committed, drain)
        spent = Meter.delta(before, meter.snapshot(clients))
        got = latencies_ms(clients, committed)
        figures["rates"].append(
            {
                "rate_per_s": rate,
                "achieved_per_s": round(achieved, 1),
                "sent": len(committed),
                "delivered": len(got),
                "p50_ms": round(percentile(got, 0.5), 1),
                "p99_ms": round(percentile(got, 0.99), 1),
                **per_delivery(spent, len(got)),
            }
        )
        print(f"[{system.name}] rate {rate}: {figures['rates'][-1]}", flush=True)

    # broadcast to every client, a few rounds
    rounds: list[dict[str, float]] = []
    all_ms: list[float] = []
    before = meter.snapshot(clients)
    delivered = expected = 0
    for r in range(args.broadcasts):
        committed = await system.broadcast(len(clients), f"b{r}")
        await wait_delivered(clients, committed, 30)
        got = latencies_ms(clients, committed)
        all_ms += got
        delivered += len(got)
        expected += len(committed)
        rounds.append({"last_ms": max(got, default=float("nan"))})
        await asyncio.sleep(POLL_INTERVAL_S if system.name == "polling" else 0.5)
    spent = Meter.delta(before, meter.snapshot(clients))
    figures["broadcast"] = {
        "members": len(clients),
        "rounds": args.broadcasts,
        "delivered": delivered,
        "expected": expected,
        "p50_ms": round(percentile(all_ms, 0.5), 1),
        "p99_ms": round(percentile(all_ms, 0.99), 1),
        "last_ms_median": round(percentile([r["last_ms"] for r in rounds], 0.5), 1),
        **per_delivery(spent, delivered),
    }
    print(f"[{system.name}] broadcast: {figures['broadcast']}", flush=True)
    await disconnect(clients, tasks)

    figures["storm"] = await storm(system, servers, meter, args)
    print(f"[{system.name}] storm: {figures['storm']}", flush=True)
    sampler.cancel()
    await asyncio.gather(sampler, return_exceptions=True)
    meter.pg.close()
    return figures


async def storm(
    system: System, servers: Servers, meter: Meter, args: argparse.Namespace
) -> dict[str, Any]:
    """Kill every server, publish one broadcast while they are down, restart them at once, and
    time each client until it is up to date again."""
    ports = servers.ports
    clients = [system.client(p, ports[i % len(ports)]) for i, p in enumerate(system.plans)]
    clients = clients[: args.storm]
    tasks, connect_s = await connect(clients, reconnect=True)
    held = sum(1 for c in clients if c.ready.is_set())
    await asyncio.sleep(2)
    print(f"[{system.name}] storm: {held}/{len(clients)} up in {connect_s:.1f} s", flush=True)

    def restart() -> float:
        servers.start()
        return time.time()

    killed_at = time.time()
    servers.kill()
    before = meter.snapshot(clients)  # the killed servers count 0: what follows is the new ones
    # Restarted at once, as a supervisor would; the broadcast goes out while they boot.
    restarting = asyncio.create_task(asyncio.to_thread(restart))
    outage = await system.broadcast(len(clients), "outage")
    published_s = time.time() - killed_at
    down_s = await restarting - killed_at
    deadline = killed_at + args.storm_wait
    while time.time() < deadline:
        if all(c.ready_at and c.ready_at[-1] > killed_at for c in clients):
            break
        await asyncio.sleep(0.1)
    await wait_delivered(clients, outage, 3 if system.name != "polling" else 2)
    spent = Meter.delta(before, meter.snapshot(clients))
    back = sorted(
        min(t for t in c.ready_at if t > killed_at) - killed_at
        for c in clients
        if any(t > killed_at for t in c.ready_at)
    )
    missing = [index for index, key in outage if key not in clients[index].received]
    lost = sum(1 for index in missing if clients[index].ready_at[-1] > killed_at)
    failures: Counter[str] = Counter()
    for c in clients:
        failures.update(c.failures)
    attempts = sum(c.attempts for c in clients) - len(clients)
    await disconnect(clients, tasks)
    return {
        "clients": len(clients),
        "held_before": held,
        "servers_down_s": round(down_s, 2),
        "outage_published_after_s": round(published_s, 2),
        "back_within_30s": sum(1 for s in back if s <= 30),
        "back_within_30s_share": round(sum(1 for s in back if s <= 30) / len(clients), 4),
        "back_by_end": len(back),
        "wait_s": args.storm_wait,
        "back_p50_s": round(percentile(back, 0.5), 2),
        "back_p99_s": round(percentile(back, 0.99), 2),
        "back_max_s": round(max(back, default=float("nan")), 2),
        "back_seconds": [round(s, 3) for s in back],
        "reconnect_attempts": attempts,
        "session_ends": dict(failures.most_common()),
        "outage_sent": len(outage),
        "outage_missing_at_end": len(missing),
        "outage_lost": lost,  # missing although the client is back and up to date
        "server_cpu_s": round(spent["server_cpu_s"], 2),
        "pg_cpu_s": round(spent["pg_cpu_s"], 2),
    }


def run_system(
    system_class: type[System], plans: list[dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    from testing.servers import free_port

    servers = Servers(
        system_class.app,
        [free_port() for _ in range(args.daphnes)],
        env={"DJANGO_SETTINGS_MODULE": system_class.settings_module},
        log_dir=ROOT / "var" / "bench" if args.server_logs else None,
        connect_timeout=args.connect_timeout,
    )
    servers.start()
    try:

        async def go() -> dict[str, Any]:
            return await measure(system_class(plans), servers, args)

        return asyncio.run(go())
    finally:
        servers.stop()


# --- reporting -------------------------------------------------------------------------------


def table(results: dict[str, Any], args: argparse.Namespace) -> str:
    systems = [s for s in SYSTEMS if s in results["systems"]]
    r = {s: results["systems"][s] for s in systems}

    def row(name: str, cell: Any) -> str:
        return f"| {name} | " + " | ".join(cell(r[s]) for s in systems) + " |\n"

    def rate_row(index: int, name: str, cell: Any) -> str:
        return row(name, lambda f: cell(f["rates"][index]))

    out = (
        f"# Aviso side by side ({args.clients} clients, storm of {args.storm}, "
        f"{args.daphnes} Daphne processes each, "
        f"--websocket_connect_timeout {getattr(args, 'connect_timeout', 5)})\n\n"
        "| figure | " + " | ".join(LABELS[s] for s in systems) + " |\n"
        "|---|" + "---|" * len(systems) + "\n"
    )
    out += row("connections held", lambda f: f"{f['held']}/{f['clients']} in {f['connect_s']} s")
    out += row(
        "server memory idle → loaded", lambda f: f"{f['rss_idle_mib']} → {f['rss_loaded_mib']} MiB"
    )
    out += row("server memory per connection", lambda f: f"{f['kib_per_connection']} KiB")
    out += row(
        f"idle ({args.idle:g} s, nothing sent): server + PostgreSQL CPU",
        lambda f: f"{f['idle']['server_cpu_pct']} % + {f['idle']['pg_cpu_pct']} % of a core",
    )
    out += row(
        "idle: requests/s, bytes/s on the wire",
        lambda f: f"{f['idle']['requests_per_s']} req/s, {f['idle']['bytes_per_s']:,.0f} B/s",
    )
    for i, rate in enumerate(args.rates):
        out += rate_row(
            i,
            f"commit→client at {rate}/s: p50 / p99",
            lambda x: f"{x['p50_ms']} / {x['p99_ms']} ms",
        )
        out += rate_row(
            i,
            "… delivered / sent (achieved rate)",
            lambda x: f"{x['delivered']}/{x['sent']} ({x['achieved_per_s']}/s)",
        )
        out += rate_row(
            i,
            "… CPU per delivered notification (server + PostgreSQL)",
            lambda x: f"{x['server_cpu_ms_per_delivery']} + {x['pg_cpu_ms_per_delivery']} ms",
        )
        out += rate_row(
            i,
            "… bytes per delivered notification; requests/s",
            lambda x: f"{x['bytes_per_delivery']:,.0f} B; {x['requests_per_s']} req/s",
        )
    out += row(
        f"broadcast to {args.clients} members: p50 / p99 (last one, median round)",
        lambda f: (
            f"{f['broadcast']['p50_ms']} / {f['broadcast']['p99_ms']} ms "
            f"({f['broadcast']['last_ms_median']} ms)"
        ),
    )
    out += row(
        "… delivered; CPU per delivery (server + PostgreSQL)",
        lambda f: (
            f"{f['broadcast']['delivered']}/{f['broadcast']['expected']}; "
            f"{f['broadcast']['server_cpu_ms_per_delivery']} + "
            f"{f['broadcast']['pg_cpu_ms_per_delivery']} ms"
        ),
    )
    out += row(
        f"reconnect storm ({args.storm}): up to date within 30 s",
        lambda f: (
            f"{f['storm']['back_within_30s_share'] * 100:.1f} % "
            f"({f['storm']['back_within_30s']}/{f['storm']['clients']})"
        ),
    )
    out += row(
        "… time back p50 / p99 / last (servers down)",
        lambda f: (
            f"{f['storm']['back_p50_s']} / {f['storm']['back_p99_s']} / "
            f"{f['storm']['back_max_s']} s ({f['storm']['servers_down_s']} s)"
        ),
    )
    out += row(
        "… outage broadcast lost by clients back / not received by the end",
        lambda f: (
            f"{f['storm']['outage_lost']} / {f['storm']['outage_missing_at_end']} "
            f"of {f['storm']['outage_sent']}"
        ),
    )
    out += row(
        "… server CPU to take the storm back (new processes, boot included)",
        lambda f: f"{f['storm']['server_cpu_s']} s + PostgreSQL {f['storm']['pg_cpu_s']} s",
    )
    out += "\n" + MEASURED
    return out


MEASURED = """What is measured where:

* Clients, publisher and meter run in one Python process (asyncio); servers, PostgreSQL and
  Redis run on the same 2-core machine, which other work shares. The systems run one after
  the other against the same database and Redis, with the same number of Daphne processes.
* **commit→client**: Aviso and polling: from the commit of the `notify` transaction
  (an on_commit stamp) to the moment the client parsed the frame or the poll answer carrying
  it. Vanilla: from just before `group_send` (it writes nothing; that is where a commit would
  be) to the frame. Publishing is one notification per transaction, paced; "achieved" is the
  rate the publisher really kept.
* **CPU per delivered notification**: utime+stime from /proc/<pid>/stat of the server
  processes (Daphne), plus the PostgreSQL backends those servers opened (found in
  pg_stat_activity by application_name, sampled every second so a recycled connection still
  counts), over the window from the first publish until every
  notification arrived (or the drain timeout), divided by the notifications delivered. The
  publisher's own cost (writing the rows: same for Aviso and polling, none for vanilla) and
  Redis are not in it; the whole redis-server's CPU is in compare.json
  (`redis_cpu_ms_per_delivery_shared`, shared with everything else on the machine).
* **bytes**: counted by the clients on their sockets: HTTP request and response bytes with
  headers for polling; WebSocket frames (payload + frame header) both ways for the others.
  No TCP/IP overhead.
* **memory**: VmRSS of the server processes before and after the clients connected
  (PostgreSQL memory not included; the polling server uses a fixed pool of 4 connections per
  process).
* **storm**: every server process is SIGKILLed with all clients connected and restarted at
  once on the same ports (down until they listen again: "servers down"); one broadcast to
  every client is published while they boot. Clients
  reconnect with exponential backoff and full jitter (0.5 s doubling to 30 s, as
  static/aviso/socket.js; polling clients simply retry every second). "Up to date" is
  Aviso's `ready` (after replaying what was missed), the polling client's first answered
  poll, vanilla's socket being open again. Times are from the kill.
"""


def plot(results: dict[str, Any], args: argparse.Namespace, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, NullFormatter, ScalarFormatter
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
        return False
    systems = [s for s in SYSTEMS if s in results["systems"]]
    colours = {"aviso": "#1f77b4", "polling": "#d62728", "vanilla": "#2ca02c"}
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    (lat, cpu), (wire, storm_ax) = axes
    for s in systems:
        f = results["systems"][s]
        rates = [x["rate_per_s"] for x in f["rates"]]
        lat.plot(
            rates,
            [x["p50_ms"] for x in f["rates"]],
            "o-",
            color=colours[s],
            label=f"{LABELS[s]} p50",
        )
        lat.plot(
            rates,
            [x["p99_ms"] for x in f["rates"]],
            "o--",
            color=colours[s],
            label=f"{LABELS[s]} p99",
        )
        cpu.plot(
            rates,
            [x["cpu_ms_per_delivery"] for x in f["rates"]],
            "o-",
            color=colours[s],
            label=LABELS[s],
        )
        wire.plot(
            rates,
            [x["bytes_per_delivery"] for x in f["rates"]],
            "o-",
            color=colours[s],
            label=LABELS[s],
        )
        back = f["storm"]["back_seconds"]
        n = f["storm"]["clients"]
        if back:
            xs = [0.0, *back]
            ys = [0.0, *[(i + 1) / n * 100 for i in range(len(back))]]
            st = f["storm"]
            lost = (
                f"outage: {st['outage_lost']} lost, "
                f"{st.get('outage_missing_at_end', st['outage_lost'])} not received"
            )
            storm_ax.step(xs, ys, where="post", color=colours[s], label=f"{LABELS[s]} ({lost})")
    lat.set(
        title="commit→client latency",
        xlabel="notifications per second",
        ylabel="ms",
        xscale="log",
        yscale="log",
    )
    cpu.set(
        title="server + PostgreSQL CPU per delivered notification",
        xlabel="notifications per second",
        ylabel="ms of CPU",
        xscale="log",
        yscale="log",
    )
    wire.set(
        title="bytes on the wire per delivered notification",
        xlabel="notifications per second",
        ylabel="bytes",
        xscale="log",
        yscale="log",
    )
    storm_ax.axvline(30, color="grey", linestyle=":")
    storm_ax.set(
        title=f"reconnect storm: {args.storm} clients, servers killed at 0",
        xlabel="seconds since the kill",
        ylabel="% of clients back (Aviso: replayed, ready)",
        ylim=(0, 102),
    )
    for ax in (lat, cpu, wire):
        ax.set_xticks(args.rates)
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    storm_ax.set_xlim(0, max(args.storm_wait + 5, 31))
    for ax in (lat, cpu, wire, storm_ax):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(
        f"Aviso vs polling vs vanilla Channels — {args.clients} clients, "
        f"{args.daphnes} Daphne processes each, {os.cpu_count()} cores"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--clients", type=int, default=1000, help="connected clients (and broadcast members)"
    )
    parser.add_argument("--storm", type=int, default=2000, help="clients in the reconnect storm")
    parser.add_argument(
        "--rates",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[10, 50, 200],
        help="notifications per second, comma separated",
    )
    parser.add_argument("--seconds", type=float, default=10, help="seconds at each rate")
    parser.add_argument(
        "--idle", type=float, default=10, help="seconds connected with nothing sent"
    )
    parser.add_argument("--broadcasts", type=int, default=3, help="broadcast rounds")
    parser.add_argument(
        "--storm-wait", type=float, default=60, help="seconds to wait for the storm to settle"
    )
    parser.add_argument("--daphnes", type=int, default=2, help="Daphne processes per system")
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help="which of aviso,polling,vanilla"
    )
    parser.add_argument(
        "--connect-timeout",
        type=int,
        default=30,
        help="Daphne's --websocket_connect_timeout for every system (Daphne's default is 5; "
        "30 is what config/daphne_cmd.py gives Procfile and infra/entrypoint.sh)",
    )
    parser.add_argument("--name", default="compare", help="results file name")
    parser.add_argument(
        "--server-logs", action="store_true", help="keep the servers' output in var/bench/"
    )
    parser.add_argument(
        "--redraw", action="store_true", help="only redraw table and plot from compare.json"
    )
    args = parser.parse_args()
    if args.redraw:
        results = json.loads((RESULTS / f"{args.name}.json").read_text())
        saved = argparse.Namespace(**results["arguments"])
        (RESULTS / f"{args.name}.md").write_text(table(results, saved))
        plot(results, saved, RESULTS / f"{args.name}.png")
        return
    chosen = [s for s in args.systems.split(",") if s]

    raise_open_files()
    began = time.time()
    prepare(DATABASE)
    from channels.db import database_sync_to_async

    try:
        plans = asyncio.run(
            database_sync_to_async(make_population)(max(args.clients, args.storm), TENANT)
        )
        print(f"population of {len(plans)} ready in {time.time() - began:.0f} s", flush=True)
        classes: dict[str, type[System]] = {"aviso": Aviso, "polling": Polling, "vanilla": Vanilla}
        systems = {name: run_system(classes[name], plans, args) for name in chosen}
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)
    results = {
        "arguments": {
            k: v for k, v in vars(args).items() if k not in ("redraw", "server_logs", "name")
        },
        "run_seconds": round(time.time() - began, 1),
        "machine": {"cpus": os.cpu_count()},
        "systems": systems,
    }
    text = table(results, args)
    write_results(args.name, results, text)
    if plot(results, args, RESULTS / f"{args.name}.png"):
        print(f"plot: {RESULTS / args.name}.png")


if __name__ == "__main__":
    main()
