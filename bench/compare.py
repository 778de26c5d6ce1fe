"""Aviso side by side with the usual alternatives, on this machine, in one run:

* aviso — config.asgi on Daphne: durable notifications, replay on reconnect (`notify`).
* polling — clients poll `GET /poll?after=<seq>` every second over keep-alive HTTP/1.1;
  bench/baselines/polling.py on Daphne reads the same Notification table (`notify` writes it).
* vanilla — the Channels tutorial's consumer on Daphne with stock channels-redis (core
  layer); the publisher calls `group_send` and writes nothing (its clock starts where a
  commit would be).
* pubsub — the same vanilla consumer and publisher on channels-redis's
  RedisPubSubChannelLayer (bench/baselines/pubsub_settings.py).

Each system gets the same Daphne process count and the same clients, one after the other.
Phases: connections held and memory per connection, an idle period, commit→client latency at
increasing rates (optionally with a py-spy profile of one server process: --profile), a
broadcast to every client, a Celery phase (Aviso only: the same notifications published from
a real `celery worker`), a reconnect storm (every server killed with SIGKILL and restarted,
clients reconnecting with full-jitter backoff like static/aviso/socket.js, one broadcast sent
while the servers are down), and many sockets (--many) across several tenants on fresh
servers: connect time, memory per socket, idle CPU and database transactions at a tenth of
them and at all of them.

Usage: .venv/bin/python bench/compare.py [--clients 1000] [--storm 5000] [--many 10000]
Writes bench/results/<name>.{json,md,png} (and profile-<name>-<system>.{svg,txt}).
"""

import argparse
import asyncio
import functools
import importlib
import json
import math
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import profiling
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
    run_clients,
    start_celery_worker,
    ws_frame_bytes,
)

DATABASE = "aviso_bench_compare"
LOGS = ROOT / "var" / "bench"
POLL_INTERVAL_S = 1.0
SYSTEMS = ("aviso", "polling", "vanilla", "pubsub")
LABELS = {
    "aviso": "Aviso",
    "polling": "Polling 1 s",
    "vanilla": "Vanilla Channels",
    "pubsub": "Vanilla Channels (PubSub layer)",
}
VANILLAS = ("vanilla", "pubsub")
PHASES = ("broadcast", "celery", "storm", "many")  # the ones --skip can leave out
# 10,000 one-second pollers are 10,000 requests a second: far beyond this machine, so the
# many-sockets phase is for the socket servers.
MANY_SYSTEMS = ("aviso", "vanilla", "pubsub")
PROFILE_RATE = 50  # the rate whose phase --profile records (or the middle one of --rates)
CELERY_TASK = "bench.celery_publish"
# A backend reports its transactions to pg_stat_database when it goes idle, but at most once a
# second and otherwise after PGSTAT_IDLE_INTERVAL (10 s, PostgreSQL 15).
STATS_SETTLE_S = 11

Committed = dict[tuple[int, int], float]  # (client index, notification key) → commit time
Plans = list[dict[str, Any]]
Send = Callable[[Sequence[int], str], Awaitable[Committed]]
T = TypeVar("T")


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
                answer = json.loads(body)
                for notification in answer["notifications"]:
                    self.got(notification["seq"])
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
            self.got(json.loads(raw)["message"]["id"])

    async def close(self) -> None:
        self.stopped = True
        if self.ws is not None:
            await self.ws.close()


# --- what differs per system: server app, client, how a notification is published ------------


class System:
    """`plans` are the clients' users (a phase's clients are `plans[i]` for client i)."""

    name = ""
    app = ""
    settings_module = "config.settings.local"

    def client(self, plan: dict[str, Any], port: int) -> BenchClient:
        raise NotImplementedError

    async def send(self, plans: Plans, targets: Sequence[int], title: str) -> Committed:
        """One notification to each target client's user, one at a time."""
        from channels.db import database_sync_to_async

        result: Committed = await database_sync_to_async(publish)(plans, targets, title)
        return result

    async def broadcast(self, plans: Plans, title: str) -> Committed:
        """One notification to every client's user at once (one notify per tenant)."""
        from channels.db import database_sync_to_async

        _, committed = await database_sync_to_async(broadcast)(plans, title)
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
    """The tutorial's consumer; the publisher uses the layer the servers' settings name (built
    from the same CHANNEL_LAYERS), sends to a user's group or to everyone's, and writes
    nothing. A user's group is `user_<id>`: ids repeat across tenants, so only the first
    tenant's clients are ever targeted one by one."""

    name = "vanilla"
    app = "bench.baselines.vanilla:application"
    settings_module = "bench.baselines.vanilla_settings"

    def __init__(self) -> None:
        from django.utils.module_loading import import_string

        from bench.baselines.vanilla import EVERYONE, user_group

        self.everyone = EVERYONE
        self.user_group = user_group
        config = importlib.import_module(self.settings_module).CHANNEL_LAYERS["default"]
        self.layer = import_string(config["BACKEND"])(**config["CONFIG"])
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

    async def send(self, plans: Plans, targets: Sequence[int], title: str) -> Committed:
        committed = {}
        for index in targets:
            message = self.message(title)
            at = time.time()
            await self.layer.group_send(
                self.user_group(plans[index]["user_id"]),
                {"type": "notify.message", "message": message},
            )
            committed[(index, message["id"])] = at
        return committed

    async def broadcast(self, plans: Plans, title: str) -> Committed:
        message = self.message(title)
        at = time.time()
        await self.layer.group_send(self.everyone, {"type": "notify.message", "message": message})
        return {(index, message["id"]): at for index in range(len(plans))}


class PubSub(Vanilla):
    name = "pubsub"
    settings_module = "bench.baselines.pubsub_settings"


CLASSES: dict[str, type[System]] = {
    "aviso": Aviso,
    "polling": Polling,
    "vanilla": Vanilla,
    "pubsub": PubSub,
}


class CeleryPublisher:
    """Publishes through bench.celery_publish on a real worker: `send` queues the tasks (at
    the pace it is called), `settle` waits for them and returns their commit times (each
    task's result, stamped in the worker)."""

    def __init__(self, plans: Plans) -> None:
        self.plans = plans
        self.queued: list[tuple[int, float, Any]] = []  # client index, when, AsyncResult
        self.enqueued: Committed = {}  # (client index, seq) → when its task was queued
        self.started: Committed = {}  # (client index, seq) → when its task started

    def queue(self, index: int, title: str) -> None:
        from bench.celery_publish import publish_one

        plan = self.plans[index]
        at = time.time()
        result = publish_one.apply_async(
            args=(plan, title), headers={"_schema_name": plan["schema"]}
        )
        self.queued.append((index, at, result))

    async def send(self, targets: Sequence[int], title: str) -> Committed:
        for index in targets:
            await asyncio.to_thread(self.queue, index, title)
        return {}

    def results(self) -> Committed:
        committed = {}
        for index, at, result in self.queued:
            seq, committed_at, started_at = result.get(timeout=120)
            committed[(index, int(seq))] = committed_at
            self.enqueued[(index, int(seq))] = at
            self.started[(index, int(seq))] = started_at
        self.queued.clear()
        return committed

    async def settle(self) -> Committed:
        return await asyncio.to_thread(self.results)


# --- measuring -------------------------------------------------------------------------------


class Meter:
    """CPU of the server processes and of the PostgreSQL backends they opened (found by
    application_name), the whole redis-server's CPU (shared with anything else on the
    machine), the bench database's transactions, and what the clients counted on their
    sockets. The meter's own queries go to the `postgres` database, so the bench database's
    counters see only the servers' (and the publisher's) work."""

    def __init__(self, servers: Servers) -> None:
        import psycopg

        self.servers = servers
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        self.pg = psycopg.connect(url, autocommit=True)
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

    def transactions(self) -> int:
        """Committed and rolled-back transactions of the bench database so far (each query in
        autocommit is one). Backends report them when they go idle, at most once a second, so
        a window of many seconds is accurate to about a second's worth at each end."""
        row = self.pg.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            (DATABASE,),
        ).fetchone()
        return int(row[0]) if row else 0

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
            "transactions": self.transactions(),
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
            "transactions": after["transactions"] - before["transactions"],
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


def idle_figures(spent: dict[str, float]) -> dict[str, float]:
    """A window with nothing sent: CPU as % of one core, transactions and traffic per second."""
    seconds = max(spent["seconds"], 1e-9)

    def pct(cpu_s: float) -> float:
        return round(cpu_s / seconds * 100, 2)

    return {
        "seconds": round(seconds, 1),
        "server_cpu_pct": pct(spent["server_cpu_s"]),
        "pg_cpu_pct": pct(spent["pg_cpu_s"]),
        "redis_cpu_pct": pct(spent["redis_cpu_s"]),
        "total_cpu_pct": pct(spent["server_cpu_s"] + spent["pg_cpu_s"] + spent["redis_cpu_s"]),
        "client_cpu_pct": pct(spent["bench_cpu_s"]),
        "transactions_per_s": round(spent["transactions"] / seconds, 1),
        "requests_per_s": round(spent["requests"] / seconds, 1),
        "bytes_per_s": round((spent["bytes_in"] + spent["bytes_out"]) / seconds, 1),
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


def spread(system: System, plans: Plans, ports: Sequence[int]) -> list[BenchClient]:
    """One client per plan, alternating between the server processes."""
    return [system.client(plan, ports[i % len(ports)]) for i, plan in enumerate(plans)]


async def ready_or_gone(client: BenchClient, task: "asyncio.Task[None]", seconds: float) -> None:
    """Until the client is up to date, or its run ended (it gave up), or `seconds` passed."""
    waiter = asyncio.ensure_future(client.ready.wait())
    await asyncio.wait([waiter, task], timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()


async def connect(
    clients: Sequence[BenchClient], reconnect: bool
) -> tuple[list["asyncio.Task[None]"], float]:
    """Start the clients 100 at a time, each batch once the previous one is up to date."""
    started = time.perf_counter()
    tasks = []
    for batch in range(0, len(clients), 100):
        chunk = clients[batch : batch + 100]
        started_tasks = [asyncio.create_task(c.run(reconnect=reconnect)) for c in chunk]
        tasks += started_tasks
        await asyncio.gather(
            *(ready_or_gone(c, t, 120) for c, t in zip(chunk, started_tasks, strict=True))
        )
    return tasks, time.perf_counter() - started


async def disconnect(clients: Sequence[BenchClient], tasks: Sequence[Any]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


# --- phases ----------------------------------------------------------------------------------


def drain_seconds(system: System) -> float:
    """How long to wait for stragglers after the last publish."""
    return POLL_INTERVAL_S * 3 if system.name == "polling" else 5.0


async def held_and_idle(
    system: System, servers: Servers, meter: Meter, plans: Plans, args: argparse.Namespace
) -> tuple[list[BenchClient], list["asyncio.Task[None]"], dict[str, Any]]:
    """Connect the clients (time, memory per connection), then leave them idle a while."""
    await asyncio.sleep(1)
    rss_idle = servers.rss_kib()
    clients = spread(system, plans, servers.ports)
    before = meter.snapshot(clients)
    connecting_phase = connect(clients, reconnect=False)
    profile: dict[str, str] | None = None
    if system.name in args.profile_connect:
        (tasks, connect_s), profile = await profiled(
            system,
            servers,
            args,
            connecting_phase,
            what=f"connecting {len(clients)} clients",
            seconds=args.profile_connect_seconds,
        )
    else:
        tasks, connect_s = await connecting_phase
    connecting = Meter.delta(before, meter.snapshot(clients))
    await asyncio.sleep(STATS_SETTLE_S)  # the handshakes' transactions counted before idle
    held = sum(1 for c in clients if c.ready.is_set())
    rss_loaded = servers.rss_kib()
    figures: dict[str, Any] = {
        "clients": len(clients),
        "held": held,
        "connect_s": round(connect_s, 2),
        "connect_client_cpu_pct": round(connecting["bench_cpu_s"] / connect_s * 100, 1),
        "rss_idle_mib": round(rss_idle / 1024, 1),
        "rss_loaded_mib": round(rss_loaded / 1024, 1),
        "kib_per_connection": round((rss_loaded - rss_idle) / max(1, held), 1),
    }
    if profile is not None:
        figures["connect_profile"] = profile
    print(f"[{system.name}] {held}/{len(clients)} connected in {connect_s:.1f} s", flush=True)
    before = meter.snapshot(clients)
    await asyncio.sleep(args.idle)
    figures["idle"] = idle_figures(Meter.delta(before, meter.snapshot(clients)))
    return clients, tasks, figures


async def paced(
    send: Send,
    meter: Meter,
    clients: Sequence[BenchClient],
    rate: float,
    seconds: float,
    drain: float,
    label: str,
    settle: Callable[[], Awaitable[Committed]] | None = None,
) -> tuple[dict[str, Any], Committed]:
    """`rate` notifications a second for `seconds`, each to one random client, one at a time;
    commit→client latency and the cost per delivered notification. A publisher that only
    queues (`send` returns nothing) hands over the commit times in `settle` afterwards."""
    count = max(1, round(rate * seconds))
    targets = [random.randrange(len(clients)) for _ in range(count)]
    committed: Committed = {}
    before = meter.snapshot(clients)
    started = time.perf_counter()
    for i, target in enumerate(targets):
        committed.update(await send([target], f"{label}.{i}"))
        delay = started + (i + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    achieved = count / (time.perf_counter() - started)
    if settle is not None:
        committed.update(await settle())
    await wait_delivered(clients, committed, drain)
    spent = Meter.delta(before, meter.snapshot(clients))
    got = latencies_ms(clients, committed)
    figures = {
        "rate_per_s": rate,
        "achieved_per_s": round(achieved, 1),
        "sent": len(committed),
        "delivered": len(got),
        "p50_ms": round(percentile(got, 0.5), 1),
        "p99_ms": round(percentile(got, 0.99), 1),
        **per_delivery(spent, len(got)),
    }
    return figures, committed


def profile_rate(args: argparse.Namespace) -> float:
    rates: list[float] = args.rates
    return PROFILE_RATE if PROFILE_RATE in rates else rates[len(rates) // 2]


def code_version() -> str:
    import subprocess

    found = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return found.stdout.strip() or "unknown"


async def profiled(
    system: System,
    servers: Servers,
    args: argparse.Namespace,
    phase: Awaitable[T],
    *,
    what: str = "",
    seconds: float | None = None,
) -> tuple[T, dict[str, str]]:
    """Run `phase` while py-spy records the first server process; write the flame graph and
    the summary (bench/profiling.py); returns the phase's result and where they are."""
    recording = Recording(system, servers, args, what=what, seconds=seconds)
    result = await phase
    return result, await recording.finish()


class Recording:
    """py-spy recording the first server process from now, for `seconds`."""

    def __init__(
        self,
        system: System,
        servers: Servers,
        args: argparse.Namespace,
        *,
        what: str = "",
        seconds: float | None = None,
        stem: str = "",
    ) -> None:
        self.system, self.servers, self.args = system, servers, args
        self.seconds = args.seconds if seconds is None else seconds
        self.what = what or f"{profile_rate(args):g}/s phase"
        suffix = stem or ("connect" if "connect" in self.what else "")
        self.stem = f"profile-{args.name}-{system.name}" + (f"-{suffix}" if suffix else "")
        self.raw, self.log = RESULTS / f"{self.stem}.collapsed", LOGS / f"{self.stem}.log"
        self.raw.unlink(missing_ok=True)
        self.pid = servers.pids[0]
        self.recording = profiling.start_recording(self.pid, self.seconds, self.raw, self.log)
        self.began, self.cpu = time.time(), cpu_seconds(self.pid)

    async def finish(self) -> dict[str, str]:
        """Wait for py-spy, then write the flame graph and the summary; returns where."""
        cpu_then = cpu_seconds(self.pid)
        ended = time.time()
        await asyncio.to_thread(profiling.finish_recording, self.recording, self.raw, self.log)
        spent = f"; the process used {cpu_then - self.cpu:.2f} s of CPU over the phase's "
        spent += f"{ended - self.began:.1f} s (py-spy records {self.seconds:g} s of it)"
        title = (
            f"{LABELS[self.system.name]}, one of {len(self.servers.pids)} Daphne processes, "
            f"{self.what}, {self.args.clients} clients, code {code_version()}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        )
        svg, txt = RESULTS / f"{self.stem}.svg", RESULTS / f"{self.stem}.txt"
        profiling.write_profile(self.raw, svg, txt, title, note=spent)
        print(f"[{self.system.name}] profile: {svg}, {txt}", flush=True)
        return {"svg": svg.name, "txt": txt.name, "collapsed": self.raw.name, "title": title}


async def rates_phase(
    system: System,
    servers: Servers,
    meter: Meter,
    clients: Sequence[BenchClient],
    plans: Plans,
    args: argparse.Namespace,
) -> list[dict[str, Any]]:
    """commit→client latency at increasing rates, one notification to one random client each;
    with --profile, py-spy records one server process during the 50/s phase."""
    out = []
    for rate in args.rates:
        phase = paced(
            functools.partial(system.send, plans),
            meter,
            clients,
            rate,
            args.seconds,
            drain_seconds(system),
            f"r{rate}",
        )
        if system.name in args.profile and rate == profile_rate(args):
            (figures, _), where = await profiled(system, servers, args, phase)
            figures["profile"] = where
        else:
            figures, _ = await phase
        out.append(figures)
        print(f"[{system.name}] rate {rate}: {figures}", flush=True)
    return out


async def broadcast_phase(
    system: System,
    meter: Meter,
    clients: Sequence[BenchClient],
    plans: Plans,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """One notification to every client at once (a school-wide announcement), a few rounds;
    the last recipient's time after commit in each round."""
    rounds: list[dict[str, Any]] = []
    all_ms: list[float] = []
    before = meter.snapshot(clients)
    for r in range(args.broadcasts):
        committed = await system.broadcast(plans, f"b{r}")
        await wait_delivered(clients, committed, 30)
        got = latencies_ms(clients, committed)
        all_ms += got
        rounds.append(
            {
                "delivered": len(got),
                "expected": len(committed),
                "last_ms": round(max(got, default=float("nan")), 1),
            }
        )
        await asyncio.sleep(POLL_INTERVAL_S if system.name == "polling" else 0.5)
    spent = Meter.delta(before, meter.snapshot(clients))
    lasts = [r["last_ms"] for r in rounds]
    delivered = sum(r["delivered"] for r in rounds)
    return {
        "members": len(clients),
        "rounds": rounds,
        "delivered": delivered,
        "expected": sum(r["expected"] for r in rounds),
        "p50_ms": round(percentile(all_ms, 0.5), 1),
        "p99_ms": round(percentile(all_ms, 0.99), 1),
        "last_ms_p50": round(percentile(lasts, 0.5), 1),
        "last_ms_max": max(lasts, default=float("nan")),
        **per_delivery(spent, delivered),
    }


async def celery_phase(
    system: System,
    meter: Meter,
    clients: Sequence[BenchClient],
    plans: Plans,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The same paced notifications published in this process and from a real `celery
    worker` (bench/celery_publish.py), back to back, same clients and rate."""
    from testing.servers import stop_process

    log = LOGS / f"{args.name}-celery-worker-{os.getpid()}.log"
    worker = await asyncio.to_thread(
        start_celery_worker, log, hostname="bench-compare", include=[CELERY_TASK]
    )
    try:
        publisher = CeleryPublisher(plans)
        # Each worker process connects to PostgreSQL and Redis on its first tasks.
        await publisher.send(range(min(6, len(plans))), "warm-up")
        await wait_delivered(clients, await publisher.settle(), 10)
        publisher.enqueued.clear()
        publisher.started.clear()
        run = functools.partial(
            paced,
            meter=meter,
            clients=clients,
            rate=args.celery_rate,
            seconds=args.seconds,
            drain=drain_seconds(system),
        )
        in_process, _ = await run(functools.partial(system.send, plans), label="inproc")
        via_celery, committed = await run(publisher.send, label="celery", settle=publisher.settle)
    finally:
        await asyncio.to_thread(stop_process, worker, timeout=30)
    queued = [
        (clients[i].received[key] - publisher.enqueued[(i, key)]) * 1000
        for (i, key) in committed
        if key in clients[i].received
    ]
    waited = [(publisher.started[k] - at) * 1000 for k, at in publisher.enqueued.items()]
    ran = [(committed[k] - at) * 1000 for k, at in publisher.started.items()]
    via_celery.update(
        queued_p50_ms=round(percentile(queued, 0.5), 1),
        queued_p99_ms=round(percentile(queued, 0.99), 1),
        task_wait_p50_ms=round(percentile(waited, 0.5), 1),  # queued → task started
        task_run_p50_ms=round(percentile(ran, 0.5), 1),  # task started → commit
    )
    return {"rate_per_s": args.celery_rate, "in_process": in_process, "celery": via_celery}


async def storm(
    system: System, servers: Servers, meter: Meter, plans: Plans, args: argparse.Namespace
) -> dict[str, Any]:
    """Kill every server, publish one broadcast while they are down, restart them at once, and
    time each client until it is back, and until it is up to date (back and holding the
    broadcast); every client counts what it lost and what it got twice."""
    clients = spread(system, plans, servers.ports)
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
    outage = await system.broadcast(plans, "outage")
    published_s = time.time() - killed_at
    down_s = await restarting - killed_at
    recording = (
        Recording(
            system,
            servers,
            args,
            what=f"taking back a storm of {len(clients)} (from its restart)",
            seconds=args.profile_storm_seconds,
            stem="storm",
        )
        if system.name in args.profile_storm
        else None
    )
    deadline = killed_at + args.storm_wait
    while time.time() < deadline:
        if all(c.ready_at and c.ready_at[-1] > killed_at for c in clients):
            break
        await asyncio.sleep(0.1)
    await wait_delivered(clients, outage, 3 if system.name != "polling" else 2)
    spent = Meter.delta(before, meter.snapshot(clients))
    profile = await recording.finish() if recording is not None else None
    back_at = {
        i: min(t for t in c.ready_at if t > killed_at) - killed_at
        for i, c in enumerate(clients)
        if any(t > killed_at for t in c.ready_at)
    }
    # Up to date: back and holding what was committed before it came back (Aviso: replayed
    # before `ready`); a broadcast committed after it came back must still arrive (else lost),
    # but the client was up to date meanwhile.
    up_to_date = sorted(
        max(back_at[i], clients[i].received[key] - killed_at)
        if committed - killed_at <= back_at[i]
        else back_at[i]
        for (i, key), committed in outage.items()
        if i in back_at and key in clients[i].received
    )
    back = sorted(back_at.values())
    missing = [index for index, key in outage if key not in clients[index].received]
    lost = sum(1 for index in missing if index in back_at)
    failures: Counter[str] = Counter()
    for c in clients:
        failures.update(c.failures)
    attempts = sum(c.attempts for c in clients) - len(clients)
    duplicates = sum(c.duplicates for c in clients)
    await disconnect(clients, tasks)
    n = len(clients)

    def within(times: list[float], seconds: float) -> int:
        return sum(1 for s in times if s <= seconds)

    return {
        "clients": n,
        "held_before": held,
        "servers_down_s": round(down_s, 2),
        "outage_published_after_s": round(published_s, 2),
        "outage_committed_after_s": round(max(outage.values(), default=killed_at) - killed_at, 2),
        "back_within_10s": within(back, 10),
        "back_within_30s": within(back, 30),
        "back_within_30s_share": round(within(back, 30) / n, 4),
        "up_to_date_within_10s": within(up_to_date, 10),
        "up_to_date_within_10s_share": round(within(up_to_date, 10) / n, 4),
        "up_to_date_within_30s": within(up_to_date, 30),
        "up_to_date_within_30s_share": round(within(up_to_date, 30) / n, 4),
        "back_by_end": len(back),
        "wait_s": args.storm_wait,
        "back_p50_s": round(percentile(back, 0.5), 2),
        "back_p99_s": round(percentile(back, 0.99), 2),
        "back_max_s": round(max(back, default=float("nan")), 2),
        "up_to_date_p50_s": round(percentile(up_to_date, 0.5), 2),
        "up_to_date_max_s": round(max(up_to_date, default=float("nan")), 2),
        "back_seconds": [round(s, 3) for s in back],
        "up_to_date_seconds": [round(s, 3) for s in up_to_date],
        "reconnect_attempts": attempts,
        "session_ends": dict(failures.most_common()),
        "outage_sent": len(outage),
        "outage_missing_at_end": len(missing),
        "outage_lost": lost,  # missing although the client is back and up to date
        "duplicates": duplicates,  # notifications a client received more than once
        "server_cpu_s": round(spent["server_cpu_s"], 2),
        "pg_cpu_s": round(spent["pg_cpu_s"], 2),
        "client_cpu_pct": round(spent["bench_cpu_s"] / max(spent["seconds"], 1e-9) * 100, 1),
        **({"profile": profile} if profile else {}),
    }


def many_steps(count: int) -> list[int]:
    """Where the many-sockets phase stops to measure: a tenth of the sockets, then all."""
    return sorted({max(1, count // 10), count})


async def many(
    system: System, servers: Servers, meter: Meter, plans: Plans, args: argparse.Namespace
) -> dict[str, Any]:
    """Many sockets across several tenants on fresh server processes (restarted so memory is
    measured from a clean start): at each step, connect time, memory per socket and an idle
    window (server + PostgreSQL + Redis CPU, database transactions per second, the client's
    own CPU to show it is not the bottleneck)."""
    if system.name not in MANY_SYSTEMS:
        return {"skipped": f"{len(plans)} one-second pollers are {len(plans)} requests/s"}
    servers.stop()
    servers.start()
    await asyncio.sleep(2)
    rss_start = servers.rss_kib()
    clients = spread(system, plans, servers.ports)
    tasks: list[asyncio.Task[None]] = []
    steps = []
    connected = 0
    for count in many_steps(len(clients)):
        before = meter.snapshot(clients)
        started, seconds = await connect(clients[connected:count], reconnect=False)
        connecting = Meter.delta(before, meter.snapshot(clients))
        tasks += started
        connected = count
        # PostgreSQL reports a backend's transactions up to 10 s late: let the handshakes'
        # be counted before the idle window opens.
        await asyncio.sleep(STATS_SETTLE_S)
        held = sum(1 for c in clients[:count] if c.ready.is_set())
        rss = servers.rss_kib()
        before = meter.snapshot(clients)
        recording = (
            Recording(
                system,
                servers,
                args,
                what=f"holding {held} idle sockets",
                seconds=args.many_idle,
                stem="idle",
            )
            if system.name in args.profile_idle and count == len(clients)
            else None
        )
        await asyncio.sleep(args.many_idle)
        idle = idle_figures(Meter.delta(before, meter.snapshot(clients)))
        if recording is not None:
            await recording.finish()
        steps.append(
            {
                "sockets": count,
                "held": held,
                "connect_s": round(seconds, 2),  # the sockets added at this step
                "connect_client_cpu_pct": round(connecting["bench_cpu_s"] / seconds * 100, 1),
                "rss_mib": round(rss / 1024, 1),
                "kib_per_socket": round((rss - rss_start) / max(1, held), 1),
                "idle": idle,
            }
        )
        print(f"[{system.name}] many: {steps[-1]}", flush=True)
    await disconnect(clients, tasks)
    return {
        "tenants": len({p["schema"] for p in plans}),
        "rss_start_mib": round(rss_start / 1024, 1),
        "steps": steps,
    }


async def measure(
    system: System, servers: Servers, population: dict[str, Plans], args: argparse.Namespace
) -> dict[str, Any]:
    """Every phase of one system, in order; each phase's figures under its name."""
    meter = Meter(servers)
    sampler = asyncio.create_task(meter.sample())
    figures: dict[str, Any] = {"label": LABELS[system.name], "servers": len(servers.ports)}
    seconds: dict[str, float] = {}

    async def phase(name: str, run: Awaitable[Any]) -> Any:
        began = time.time()
        result = await run
        seconds[name] = round(time.time() - began, 1)
        if name in PHASES:
            figures[name] = result
            print(f"[{system.name}] {name}: {result}", flush=True)
        return result

    plans = population["main"]
    clients, tasks, held = await phase(
        "connect_idle", held_and_idle(system, servers, meter, plans, args)
    )
    figures.update(held)
    figures["rates"] = await phase(
        "rates", rates_phase(system, servers, meter, clients, plans, args)
    )
    if "broadcast" not in args.skip:
        await phase("broadcast", broadcast_phase(system, meter, clients, plans, args))
    if "celery" not in args.skip and system.name == "aviso":
        await phase("celery", celery_phase(system, meter, clients, plans, args))
    await disconnect(clients, tasks)
    if "storm" not in args.skip:
        await phase("storm", storm(system, servers, meter, population["storm"], args))
    if "many" not in args.skip:
        await phase("many", many(system, servers, meter, population["many"], args))
    figures["phase_seconds"] = seconds
    sampler.cancel()
    await asyncio.gather(sampler, return_exceptions=True)
    meter.pg.close()
    return figures


def run_system(
    system_class: type[System], population: dict[str, Plans], args: argparse.Namespace
) -> dict[str, Any]:
    from testing.servers import free_port

    servers = Servers(
        system_class.app,
        [free_port() for _ in range(args.daphnes)],
        env={"DJANGO_SETTINGS_MODULE": system_class.settings_module},
        log_dir=LOGS if args.server_logs else None,
        connect_timeout=args.connect_timeout,
    )
    servers.start()
    try:

        async def go() -> dict[str, Any]:
            return await measure(system_class(), servers, population, args)

        return run_clients(go())
    finally:
        servers.stop()


def bench_tenants(count: int) -> tuple[tuple[str, str], ...]:
    return tuple((f"bench_{i}", f"bench-{i}.bench") for i in range(1, count + 1))


def make_plans(args: argparse.Namespace) -> dict[str, Plans]:
    """Students of --many-tenants schools. The first phases' clients are all in the first
    school (their broadcast is one school-wide announcement); the storm's and the
    many-sockets phase's are other students, spread round-robin over every school."""
    tenants = bench_tenants(args.many_tenants)
    storm = 0 if "storm" in args.skip else args.storm
    many = 0 if "many" in args.skip else args.many
    main = make_population(args.clients, tenants[:1])
    spread = make_population(max(storm, many), tenants, first=args.clients)
    settle_database()
    return {"main": main, "storm": spread[:storm], "many": spread[:many]}


def settle_database() -> None:
    """VACUUM ANALYZE after making the population: otherwise autovacuum and autoanalyze of
    the ten thousand new rows run during the first system's first phase (Aviso's handshakes
    measured x2.7 vanilla's in such a run, x1.3-x1.8 in runs of that phase alone)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- the targets, from the results ----------------------------------------------------


def figure(f: dict[str, Any] | None, get: Callable[[dict[str, Any]], Any]) -> float | None:
    """A figure out of a system's results, or None where it was not measured."""
    if f is None:
        return None
    try:
        value = float(get(f))
    except (KeyError, TypeError, IndexError, ValueError, StopIteration):
        return None
    return None if math.isnan(value) else value


def at_rate(f: dict[str, Any], rate: float) -> dict[str, Any]:
    return next(x for x in f["rates"] if x["rate_per_s"] == rate)


def rate_figure(rate: float, key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda f: at_rate(f, rate)[key]


def largest_step(f: dict[str, Any]) -> dict[str, Any]:
    return dict(f["many"]["steps"][-1])


def smallest_step(f: dict[str, Any]) -> dict[str, Any]:
    return dict(f["many"]["steps"][0])


def best_vanilla(
    systems: dict[str, Any], get: Callable[[dict[str, Any]], Any]
) -> tuple[float, str] | None:
    """The lower of the vanilla baselines' figures (lower is better for every target)."""
    found = [(v, LABELS[s]) for s in VANILLAS if (v := figure(systems.get(s), get)) is not None]
    return min(found) if found else None


# A Celery publish "reaches sockets with the same latency" when both its p50 and p99 are
# within this of the in-process publisher's at the same rate.
SAME_LATENCY = (1.25, 2.0)  # times, plus ms
# Transactions while idle are "independent of the socket count" when at all the sockets they
# stay within this of the figure at a tenth of them (per-socket work would multiply it by 10).
INDEPENDENT = (1.5, 1.0)  # times, plus transactions/s


def target_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue #16's targets: each with what this run measured and whether it is met (None:
    not measured in this run)."""
    systems = results["systems"]
    aviso = systems.get("aviso")
    rows: list[dict[str, Any]] = []

    def add(target: str, measured: str, met: bool | None) -> None:
        rows.append({"target": target, "measured": measured, "met": met})

    def ms(v: float | None) -> str:
        return "—" if v is None else f"{v:g} ms"

    for rate in (10, 50, 200):
        cost = rate_figure(rate, "cpu_ms_per_delivery")
        mine, best = figure(aviso, cost), best_vanilla(systems, cost)
        add(
            f"CPU per delivered notification (server + PostgreSQL) at {rate}/s ≤ the better "
            "vanilla's",
            f"Aviso {ms(mine)}; {best[1] if best else 'vanilla'} {ms(best[0] if best else None)}",
            None if mine is None or best is None else mine <= best[0],
        )

    p99 = figure(aviso, lambda f: at_rate(f, 200)["p99_ms"])
    lost = figure(aviso, lambda f: at_rate(f, 200)["sent"] - at_rate(f, 200)["delivered"])
    achieved = figure(aviso, lambda f: at_rate(f, 200)["achieved_per_s"])
    add(
        "Commit→client p99 ≤ 20 ms at 200/s with 1,000 clients",
        f"{ms(p99)} ({aviso['clients'] if aviso else '—'} clients, achieved {achieved}/s, "
        f"{lost:g} not delivered)"
        if p99 is not None and lost is not None
        else "—",
        None if p99 is None else p99 <= 20 and lost == 0,
    )

    last = figure(aviso, lambda f: f["broadcast"]["last_ms_p50"])
    last_max = figure(aviso, lambda f: f["broadcast"]["last_ms_max"])
    missed = figure(aviso, lambda f: f["broadcast"]["expected"] - f["broadcast"]["delivered"])
    best = best_vanilla(systems, lambda f: f["broadcast"]["last_ms_p50"])
    members = aviso["broadcast"]["members"] if aviso and "broadcast" in aviso else "—"
    add(
        f"Durable notify to 1,000 recipients: the last one ≤ the better vanilla's one-group "
        f"broadcast and < 150 ms after commit ({members} recipients, last one: p50 and max "
        "over rounds)",
        f"Aviso p50 {ms(last)}, max {ms(last_max)}; {best[1] if best else 'vanilla'} p50 "
        f"{ms(best[0] if best else None)}",
        None
        if last is None or last_max is None or best is None
        else last <= best[0] and last_max < 150 and missed == 0,
    )

    mine = figure(aviso, lambda f: f["connect_s"])
    best = best_vanilla(systems, lambda f: f["connect_s"])
    add(
        f"{aviso['clients'] if aviso else 1000} authenticated handshakes (with hello and "
        "replay) ≤ 2x vanilla's unauthenticated ones",
        f"Aviso {mine} s; {best[1] if best else 'vanilla'} {best[0] if best else '—'} s"
        + (f" (x{mine / best[0]:.1f})" if mine and best and best[0] else ""),
        None if mine is None or best is None else mine <= 2 * best[0],
    )

    sockets = figure(aviso, lambda f: largest_step(f)["sockets"])
    tenants = aviso["many"].get("tenants") if aviso and "many" in aviso else None
    where = f"{sockets:,.0f} sockets, {tenants} tenants" if sockets else "many sockets"
    mine = figure(aviso, lambda f: largest_step(f)["kib_per_socket"])
    best = best_vanilla(systems, lambda f: largest_step(f)["kib_per_socket"])
    add(
        f"Memory per socket ≤ vanilla's in the same run, aim < 40 KiB ({where})",
        f"Aviso {mine} KiB; {best[1] if best else 'vanilla'} {best[0] if best else '—'} KiB",
        None if mine is None or best is None else mine <= best[0],
    )
    mine = figure(aviso, lambda f: largest_step(f)["idle"]["total_cpu_pct"])
    add(
        f"Idle server + PostgreSQL + Redis CPU < 3 % of a core ({where})",
        "—" if mine is None else f"{mine} % of a core",
        None if mine is None else mine < 3,
    )
    small = figure(aviso, lambda f: smallest_step(f)["idle"]["transactions_per_s"])
    big = figure(aviso, lambda f: largest_step(f)["idle"]["transactions_per_s"])
    counts = figure(aviso, lambda f: smallest_step(f)["sockets"])
    add(
        f"Database queries while idle independent of the socket count (transactions/s at "
        f"all sockets ≤ {INDEPENDENT[0]:g}x those at a tenth + {INDEPENDENT[1]:g})",
        f"{small}/s at {counts:,.0f} sockets, {big}/s at {sockets:,.0f}"
        if small is not None and big is not None and counts and sockets
        else "—",
        None if small is None or big is None else big <= small * INDEPENDENT[0] + INDEPENDENT[1],
    )

    share = figure(aviso, lambda f: f["storm"]["up_to_date_within_10s_share"])
    storm = aviso.get("storm", {}) if aviso else {}
    add(
        f"Reconnect storm of 5,000 after a kill -9 of every server: 100 % back and up to date "
        f"within 10 s, nothing lost, nothing duplicated ({storm.get('clients', '—')} sockets)",
        f"{share * 100:.1f} % within 10 s (last at {storm['up_to_date_max_s']} s); "
        f"{storm['outage_missing_at_end']} lost, {storm['duplicates']} duplicated"
        if share is not None
        else "—",
        None
        if share is None
        else share == 1 and storm["outage_missing_at_end"] == 0 and storm["duplicates"] == 0,
    )

    inproc = aviso.get("celery", {}).get("in_process") if aviso else None
    celery = aviso.get("celery", {}).get("celery") if aviso else None
    factor, extra = SAME_LATENCY
    add(
        "Publishing from a Celery task reaches sockets with the same latency (commit→client "
        f"p50 and p99 within {factor:g}x + {extra:g} ms of the in-process publisher's)",
        f"Celery {celery['p50_ms']} / {celery['p99_ms']} ms; in process {inproc['p50_ms']} / "
        f"{inproc['p99_ms']} ms (p50 / p99 at {aviso['celery']['rate_per_s']:g}/s)"
        if celery and inproc and aviso
        else "—",
        None
        if not celery or not inproc
        else all(
            celery[k] <= inproc[k] * factor + extra and celery["delivered"] == celery["sent"]
            for k in ("p50_ms", "p99_ms")
        ),
    )
    return rows


def targets_table(rows: list[dict[str, Any]]) -> str:
    verdict = {True: "met", False: "**not met**", None: "not measured"}
    out = "## Issue #16's targets (computed from this run)\n\n"
    out += "| target | measured | |\n|---|---|---|\n"
    for row in rows:
        out += f"| {row['target']} | {row['measured']} | {verdict[row['met']]} |\n"
    return out


# --- reporting -------------------------------------------------------------------------------


def table(results: dict[str, Any], args: argparse.Namespace) -> str:
    systems = [s for s in SYSTEMS if s in results["systems"]]
    r = {s: results["systems"][s] for s in systems}

    def row(name: str, cell: Callable[[dict[str, Any]], str]) -> str:
        def safe(f: dict[str, Any]) -> str:
            try:
                return cell(f)
            except (KeyError, TypeError, IndexError, StopIteration, ZeroDivisionError):
                return "—"

        return f"| {name} | " + " | ".join(safe(r[s]) for s in systems) + " |\n"

    out = (
        f"# Aviso side by side ({args.clients} clients, storm of {args.storm}, "
        f"{args.many} sockets over {args.many_tenants} tenants, {args.daphnes} Daphne "
        f"processes each, --websocket_connect_timeout {args.connect_timeout}; code "
        f"{results.get('code', '?')}, {results.get('measured_at', '')})\n\n"
        "| figure | " + " | ".join(LABELS[s] for s in systems) + " |\n"
        "|---|" + "---|" * len(systems) + "\n"
    )
    out += row(
        "connections held (client's CPU while connecting)",
        lambda f: (
            f"{f['held']}/{f['clients']} in {f['connect_s']} s "
            f"({f.get('connect_client_cpu_pct', '—')} %)"
        ),
    )
    out += row(
        "server memory idle → loaded", lambda f: f"{f['rss_idle_mib']} → {f['rss_loaded_mib']} MiB"
    )
    out += row("server memory per connection", lambda f: f"{f['kib_per_connection']} KiB")
    out += row(
        f"idle ({args.idle:g} s, nothing sent): server + PostgreSQL + Redis CPU",
        lambda f: (
            f"{f['idle']['server_cpu_pct']} + {f['idle']['pg_cpu_pct']} + "
            f"{f['idle']['redis_cpu_pct']} % of a core"
        ),
    )
    out += row(
        "idle: database transactions/s; requests/s; bytes/s on the wire",
        lambda f: (
            f"{f['idle']['transactions_per_s']}/s; {f['idle']['requests_per_s']} req/s; "
            f"{f['idle']['bytes_per_s']:,.0f} B/s"
        ),
    )
    for rate in args.rates:
        out += rate_rows(row, rate)
    out += row(
        f"broadcast to {args.clients} members ({args.broadcasts} rounds): p50 / p99",
        lambda f: f"{f['broadcast']['p50_ms']} / {f['broadcast']['p99_ms']} ms",
    )
    out += row(
        "… last one after commit: p50 / max over rounds",
        lambda f: f"{f['broadcast']['last_ms_p50']} / {f['broadcast']['last_ms_max']} ms",
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
        f"publish from a Celery worker at {args.celery_rate:g}/s: commit→client p50 / p99 "
        "(in-process publisher, same rate, just before)",
        lambda f: (
            f"{f['celery']['celery']['p50_ms']} / {f['celery']['celery']['p99_ms']} ms "
            f"({f['celery']['in_process']['p50_ms']} / {f['celery']['in_process']['p99_ms']} ms)"
        ),
    )
    out += row(
        "… delivered / sent (achieved rate); task queued→client p50 / p99",
        lambda f: (
            f"{f['celery']['celery']['delivered']}/{f['celery']['celery']['sent']} "
            f"({f['celery']['celery']['achieved_per_s']}/s); "
            f"{f['celery']['celery']['queued_p50_ms']} / "
            f"{f['celery']['celery']['queued_p99_ms']} ms"
        ),
    )
    out += row(
        "… task waiting in the queue, p50; task start → commit, p50",
        lambda f: (
            f"{f['celery']['celery']['task_wait_p50_ms']} ms; "
            f"{f['celery']['celery']['task_run_p50_ms']} ms"
        ),
    )
    out += storm_rows(row, args)
    out += many_rows(row, args)
    out += "\n" + targets_table(target_rows(results)) + "\n" + MEASURED
    return out


Row = Callable[[str, Callable[[dict[str, Any]], str]], str]
Cell = Callable[[dict[str, Any]], str]


def rate_rows(row: Row, rate: float) -> str:
    def cell(text: Cell) -> Cell:
        return lambda f: text(at_rate(f, rate))

    return (
        row(
            f"commit→client at {rate:g}/s: p50 / p99",
            cell(lambda x: f"{x['p50_ms']} / {x['p99_ms']} ms"),
        )
        + row(
            "… delivered / sent (achieved rate)",
            cell(lambda x: f"{x['delivered']}/{x['sent']} ({x['achieved_per_s']}/s)"),
        )
        + row(
            "… CPU per delivered notification (server + PostgreSQL)",
            cell(lambda x: f"{x['server_cpu_ms_per_delivery']} + {x['pg_cpu_ms_per_delivery']} ms"),
        )
        + row(
            "… bytes per delivered notification; requests/s",
            cell(lambda x: f"{x['bytes_per_delivery']:,.0f} B; {x['requests_per_s']} req/s"),
        )
    )


def storm_rows(row: Row, args: Any) -> str:
    def share(f: dict[str, Any], key: str) -> str:
        s = f["storm"]
        return f"{s[key] / s['clients'] * 100:.1f} % ({s[key]}/{s['clients']})"

    return (
        row(
            f"reconnect storm ({args.storm}): back within 10 s / 30 s",
            lambda f: f"{share(f, 'back_within_10s')} / {share(f, 'back_within_30s')}",
        )
        + row(
            "… back and up to date (holding what was committed before) within 10 s / 30 s",
            lambda f: f"{share(f, 'up_to_date_within_10s')} / {share(f, 'up_to_date_within_30s')}",
        )
        + row(
            "… time back p50 / p99 / last (servers down; outage broadcast committed)",
            lambda f: (
                f"{f['storm']['back_p50_s']} / {f['storm']['back_p99_s']} / "
                f"{f['storm']['back_max_s']} s ({f['storm']['servers_down_s']} s; "
                f"{f['storm'].get('outage_committed_after_s', '—')} s)"
            ),
        )
        + row(
            "… outage broadcast lost by clients back / not received by the end; duplicates",
            lambda f: (
                f"{f['storm']['outage_lost']} / {f['storm']['outage_missing_at_end']} "
                f"of {f['storm']['outage_sent']}; {f['storm']['duplicates']}"
            ),
        )
        + row(
            "… server CPU to take the storm back (new processes, boot included; client's CPU)",
            lambda f: (
                f"{f['storm']['server_cpu_s']} s + PostgreSQL {f['storm']['pg_cpu_s']} s "
                f"({f['storm'].get('client_cpu_pct', '—')} %)"
            ),
        )
    )


def many_rows(row: Row, args: Any) -> str:
    out = ""
    for i, count in enumerate(many_steps(args.many)):

        def cell(text: Cell, i: int = i) -> Cell:
            def step(f: dict[str, Any]) -> str:
                if "skipped" in f["many"]:
                    return "not run"
                return text(f["many"]["steps"][i])

            return step

        out += (
            row(
                f"{count:,} sockets over {args.many_tenants} tenants, fresh servers: connected "
                "in (client's CPU)",
                cell(
                    lambda x: (
                        f"{x['held']:,}/{x['sockets']:,}, +{x['connect_s']} s "
                        f"({x['connect_client_cpu_pct']} %)"
                    )
                ),
            )
            + row(
                "… server memory; per socket",
                cell(lambda x: f"{x['rss_mib']} MiB; {x['kib_per_socket']} KiB"),
            )
            + row(
                f"… idle {args.many_idle:g} s: server + PostgreSQL + Redis CPU = total",
                cell(
                    lambda x: (
                        f"{x['idle']['server_cpu_pct']} + {x['idle']['pg_cpu_pct']} + "
                        f"{x['idle']['redis_cpu_pct']} = {x['idle']['total_cpu_pct']} % of a core"
                    )
                ),
            )
            + row(
                "… idle: database transactions/s; client's CPU",
                cell(
                    lambda x: (
                        f"{x['idle']['transactions_per_s']}/s; {x['idle']['client_cpu_pct']} %"
                    )
                ),
            )
        )
    return out


MEASURED = """What is measured where:

* Clients, publisher and meter run in one Python process (asyncio on uvloop); servers,
  PostgreSQL and Redis run on the same 2-core machine, which other work shares. The systems
  run one after the other against the same database and Redis, with the same number of
  Daphne processes, Django's DEBUG off (as in production). The client's own CPU is shown
  where it could be the bottleneck (connecting, holding many sockets): near 100 % it would be.
* **commit→client**: Aviso and polling: from the commit of the `notify` transaction
  (an on_commit stamp) to the moment the client parsed the frame or the poll answer carrying
  it. Vanilla (both layers): from just before `group_send` (it writes nothing; that is where
  a commit would be) to the frame. Publishing is one notification per transaction, paced;
  "achieved" is the rate the publisher really kept. The Celery phase queues the same paced
  notifications as tasks for a real `celery worker` (prefork, 2 processes, the project's app
  plus bench/celery_publish.py), which publishes each through the same helper, its commit
  stamped in the worker; right before it, the in-process publisher runs at the same rate.
  How long tasks waited in the queue and ran until their commit is shown too (a worker that
  cannot keep the rate queues up).
* **CPU per delivered notification**: utime+stime from /proc/<pid>/stat of the server
  processes (Daphne), plus the PostgreSQL backends those servers opened (found in
  pg_stat_activity by application_name, sampled every second so a recycled connection still
  counts), over the window from the first publish until every
  notification arrived (or the drain timeout), divided by the notifications delivered. The
  publisher's own cost (writing the rows: same for Aviso and polling, none for vanilla) and
  Redis are not in it; the whole redis-server's CPU is in the JSON
  (`redis_cpu_ms_per_delivery_shared`, shared with everything else on the machine).
* **idle**: nothing sent, from 11 s after the last client connected (so PostgreSQL has
  counted the handshakes' transactions); the first window is short and early (Aviso's
  per-socket timers run every 15 and 30 s), the many-sockets phase's windows last one 30 s
  period. CPU as above plus the whole redis-server (shared with anything else
  using it); database transactions/s from pg_stat_database (xact_commit + xact_rollback) of
  the bench database, whose only clients are the servers and the idle publisher (the meter
  reads from the `postgres` database). Each autocommit query is one transaction. Backends
  report their counts when idle, at most once a second (PostgreSQL 15), so a window is exact
  to about a second's worth at each end.
* **bytes**: counted by the clients on their sockets: HTTP request and response bytes with
  headers for polling; WebSocket frames (payload + frame header) both ways for the others.
  No TCP/IP overhead.
* **memory**: VmRSS of the server processes before and after the clients connected
  (PostgreSQL memory not included; the polling server uses a fixed pool of 4 connections per
  process). The many-sockets phase restarts the servers first and measures from their fresh
  start, at a tenth of the sockets and at all of them (spread round-robin over the tenants'
  students and the server processes); the polling server is not in it (one-second pollers at
  that count are that many requests a second).
* **broadcast**: one `notify` to every connected client's user (all in one school: a
  school-wide announcement), or one `group_send` to a group of everyone for vanilla; "last
  one" is the last recipient's arrival after commit, per round.
* **storm**: every server process is SIGKILLed with all clients connected (spread over the
  tenants) and restarted at once on the same ports (down until they listen again: "servers
  down"); one broadcast to every client is published while they boot (one `notify` per
  tenant). Clients reconnect with exponential backoff and full jitter (0.5 s doubling to 30 s,
  as static/aviso/socket.js; polling clients simply retry every second). "Back" is Aviso's
  `ready` (after replaying what was missed), the polling client's first answered poll,
  vanilla's socket being open again; "up to date" is back and holding the outage broadcast
  if it was committed before the client came back (if it was committed later, the client
  was up to date when back, and the broadcast must still arrive or it counts as lost).
  Each client records every seq (vanilla: message id) it receives: one received twice is a
  duplicate, one never received is lost. Times are from the kill.
* **profile** (--profile): py-spy attached to the first server process during the 50/s
  phase, sampling at 200 Hz the thread that holds the GIL (the one running Python); the
  flame graph and the text summary are drawn from its collapsed stacks (bench/profiling.py),
  which are kept next to them. That phase's figures carry the sampling's overhead.
"""


COLOURS = {"aviso": "#1f77b4", "polling": "#d62728", "vanilla": "#2ca02c", "pubsub": "#9467bd"}


def plot(results: dict[str, Any], args: argparse.Namespace, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
        return False
    systems = [s for s in SYSTEMS if s in results["systems"]]
    fig, axes = plt.subplots(2, 3, figsize=(18, 9.5))
    (lat, cpu, wire), (bcast, storm_ax, many_ax) = axes
    many_tx = many_ax.twinx()
    for s in systems:
        f = results["systems"][s]
        plot_rates(lat, cpu, wire, s, f)
        plot_storm(storm_ax, s, f)
        plot_many(many_ax, many_tx, s, f)
    plot_broadcast(bcast, systems, results)
    for ax, title, ylabel in (
        (lat, "commit→client latency", "ms"),
        (cpu, "server + PostgreSQL CPU per delivered notification", "ms of CPU"),
        (wire, "bytes on the wire per delivered notification", "bytes"),
    ):
        ax.set(title=title, xlabel="notifications per second", ylabel=ylabel)
        log_axes(ax, args.rates)
    storm_ax.axvline(10, color="grey", linestyle=":")
    storm_ax.axvline(30, color="grey", linestyle=":")
    storm_ax.set(
        title=f"reconnect storm: {args.storm} clients, servers killed at 0",
        xlabel="seconds since the kill",
        ylabel="% of clients up to date (dotted: back)",
        ylim=(0, 102),
        xlim=(0, max(args.storm_wait + 5, 31)),
    )
    many_ax.set(
        title=f"idle, {args.many_tenants} tenants: CPU and database transactions",
        xlabel="sockets held",
        ylabel="server + PostgreSQL + Redis, % of a core (solid)",
    )
    log_axes(many_ax, many_steps(args.many))
    many_ax.set_yscale("linear")
    many_tx.set_ylabel("database transactions/s (dashed)")
    for ax in (lat, cpu, wire, bcast, storm_ax, many_ax):
        ax.grid(True, which="both", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.suptitle(
        f"Aviso vs polling vs vanilla Channels — {args.clients} clients, "
        f"{args.daphnes} Daphne processes each, {os.cpu_count()} cores, code "
        f"{results.get('code', '?')}"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def log_axes(ax: Any, ticks: Sequence[float]) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter, ScalarFormatter

    ax.set(xscale="log", yscale="log")
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def plot_rates(lat: Any, cpu: Any, wire: Any, s: str, f: dict[str, Any]) -> None:
    rates = [x["rate_per_s"] for x in f["rates"]]
    colour = COLOURS[s]
    lat.plot(rates, [x["p50_ms"] for x in f["rates"]], "o-", color=colour, label=f"{LABELS[s]} p50")
    lat.plot(rates, [x["p99_ms"] for x in f["rates"]], "o--", color=colour, label="… p99")
    cpu.plot(
        rates, [x["cpu_ms_per_delivery"] for x in f["rates"]], "o-", color=colour, label=LABELS[s]
    )
    wire.plot(
        rates, [x["bytes_per_delivery"] for x in f["rates"]], "o-", color=colour, label=LABELS[s]
    )


def plot_broadcast(ax: Any, systems: Sequence[str], results: dict[str, Any]) -> None:
    shown = [s for s in systems if "broadcast" in results["systems"][s]]
    for i, s in enumerate(shown):
        b = results["systems"][s]["broadcast"]
        lasts = [r["last_ms"] for r in b.get("rounds", [])]
        ax.bar(i, b.get("last_ms_p50", 0), color=COLOURS[s], alpha=0.6, label=LABELS[s])
        ax.plot([i] * len(lasts), lasts, "k.", markersize=5)
    ax.axhline(150, color="grey", linestyle=":")
    ax.set_xticks(range(len(shown)))
    ax.set_xticklabels([LABELS[s].replace(" (", "\n(") for s in shown], fontsize=7)
    members = next((results["systems"][s]["broadcast"]["members"] for s in shown), 0)
    ax.set(
        title=f"broadcast to {members}: last one after commit (bar p50, dots each round)",
        ylabel="ms",
    )


def plot_storm(ax: Any, s: str, f: dict[str, Any]) -> None:
    st = f.get("storm")
    if not st:
        return
    n = st["clients"]
    label: str | None = f"{LABELS[s]} ({st['outage_lost']} lost)"
    for key, style in (("up_to_date_seconds", "-"), ("back_seconds", ":")):
        times = st.get(key, [])
        if times:
            ys = [0.0, *[(i + 1) / n * 100 for i in range(len(times))]]
            ax.step([0.0, *times], ys, style, where="post", color=COLOURS[s], label=label)
            label = None


def plot_many(ax: Any, tx: Any, s: str, f: dict[str, Any]) -> None:
    steps = f.get("many", {}).get("steps")
    if not steps:
        return
    sockets = [x["sockets"] for x in steps]
    ax.plot(
        sockets,
        [x["idle"]["total_cpu_pct"] for x in steps],
        "o-",
        color=COLOURS[s],
        label=LABELS[s],
    )
    tx.plot(sockets, [x["idle"]["transactions_per_s"] for x in steps], "s--", color=COLOURS[s])


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--clients", type=int, default=1000, help="connected clients (and broadcast members)")
    add("--storm", type=int, default=5000, help="clients in the reconnect storm")
    add("--many", type=int, default=10000, help="sockets of the many-sockets phase")
    add("--many-tenants", type=int, default=5, help="schools the sockets are spread over")
    add(
        "--many-idle",
        type=float,
        default=30,
        help="seconds of each many-sockets idle window (30: one period of Aviso's per-socket "
        "resync timer, so each socket's timers fire the same number of times in any window)",
    )
    add(
        "--rates",
        type=lambda v: [float(x) for x in v.split(",")],
        default=[10, 50, 200],
        help="notifications per second, comma separated",
    )
    add("--seconds", type=float, default=10, help="seconds at each rate")
    add("--idle", type=float, default=10, help="seconds connected with nothing sent")
    add("--broadcasts", type=int, default=5, help="broadcast rounds")
    add("--celery-rate", type=float, default=50, help="notifications/s of the Celery phase")
    add("--storm-wait", type=float, default=60, help="seconds to wait for the storm to settle")
    add("--daphnes", type=int, default=2, help="Daphne processes per system")
    add("--systems", default=",".join(SYSTEMS), help="which of " + ",".join(SYSTEMS))
    add("--skip", default="", help="phases to leave out, of " + ",".join(PHASES))
    add(
        "--profile",
        nargs="?",
        const="aviso",
        default="",
        help="py-spy one server process of these systems (default aviso) during the 50/s phase",
    )
    add(
        "--profile-connect",
        nargs="?",
        const="aviso",
        default="",
        help="py-spy one server process of these systems while the clients connect",
    )
    add(
        "--profile-connect-seconds",
        type=float,
        default=8,
        help="how long --profile-connect records (from the first handshake)",
    )
    add(
        "--profile-storm",
        nargs="?",
        const="aviso",
        default="",
        help="py-spy one restarted server process of these systems while the storm comes back",
    )
    add(
        "--profile-storm-seconds",
        type=float,
        default=20,
        help="how long --profile-storm records (from the servers' restart)",
    )
    add(
        "--profile-idle",
        nargs="?",
        const="aviso",
        default="",
        help="py-spy one server process of these systems in the many-sockets phase's last "
        "idle window (all the sockets held, nothing sent)",
    )
    add(
        "--connect-timeout",
        type=int,
        default=30,
        help="Daphne's --websocket_connect_timeout for every system (Daphne's default is 5; "
        "30 is what config/daphne_cmd.py gives Procfile and infra/entrypoint.sh)",
    )
    add("--name", default="compare", help="results file name")
    add("--server-logs", action="store_true", help="keep the servers' output in var/bench/")
    add("--redraw", action="store_true", help="only redraw table and plot from <name>.json")
    return parser


def checked(args: argparse.Namespace, parser: argparse.ArgumentParser) -> argparse.Namespace:
    args.systems = [s for s in args.systems.split(",") if s]
    args.skip = [s for s in args.skip.split(",") if s]
    args.profile = [s for s in args.profile.split(",") if s]
    args.profile_connect = [s for s in args.profile_connect.split(",") if s]
    args.profile_storm = [s for s in args.profile_storm.split(",") if s]
    args.profile_idle = [s for s in args.profile_idle.split(",") if s]
    for name, given, allowed in (
        ("--systems", args.systems, SYSTEMS),
        ("--skip", args.skip, PHASES),
        ("--profile", args.profile, SYSTEMS),
        ("--profile-connect", args.profile_connect, SYSTEMS),
        ("--profile-storm", args.profile_storm, SYSTEMS),
        ("--profile-idle", args.profile_idle, SYSTEMS),
    ):
        if unknown := set(given) - set(allowed):
            parser.error(f"{name}: unknown {', '.join(sorted(unknown))}")
    return args


def redraw(parser: argparse.ArgumentParser, name: str) -> None:
    results = json.loads((RESULTS / f"{name}.json").read_text())
    saved = vars(checked(parser.parse_args([]), parser))
    saved.update(results["arguments"], name=name)
    args = argparse.Namespace(**saved)
    (RESULTS / f"{name}.md").write_text(table(results, args))
    plot(results, args, RESULTS / f"{name}.png")


def main() -> None:
    parser = arguments()
    args = checked(parser.parse_args(), parser)
    if args.redraw:
        redraw(parser, args.name)
        return
    raise_open_files()
    began = time.time()
    os.environ["DJANGO_DEBUG"] = "false"  # servers, worker and publisher: as in production
    prepare(DATABASE)
    systems: dict[str, Any] = {}
    results: dict[str, Any] = {
        "arguments": {k: v for k, v in vars(args).items() if k not in ("redraw", "server_logs")},
        "code": code_version(),
        "machine": {"cpus": os.cpu_count()},
        "systems": systems,
    }
    try:
        population = make_plans(args)
        print(f"population ready in {time.time() - began:.0f} s", flush=True)
        for name in args.systems:
            systems[name] = run_system(CLASSES[name], population, args)
            # A run cut short keeps what it measured (--redraw draws it).
            results["run_seconds"] = round(time.time() - began, 1)
            (RESULTS / f"{args.name}.json").write_text(json.dumps(results, indent=2) + "\n")
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(DATABASE)
    results["run_seconds"] = round(time.time() - began, 1)
    results["targets"] = target_rows(results)
    text = table({**results, "measured_at": time.strftime("%Y-%m-%d %H:%M UTC")}, args)
    write_results(args.name, results, text)
    if plot(results, args, RESULTS / f"{args.name}.png"):
        print(f"plot: {RESULTS / args.name}.png")


if __name__ == "__main__":
    main()
