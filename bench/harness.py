"""Pieces the real-time benchmarks share: server processes with their CPU and memory, a
population of users with sessions, publishing through `notify`, and clients (Aviso's
WebSocket, plus the baselines' in bench/compare.py) that reconnect like the browser does."""

import asyncio
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from websockets.exceptions import ConnectionClosed

from bench.common import ROOT, bench_env, drop_database, fresh_database
from config.daphne_cmd import APPLICATION, CONNECT_TIMEOUT_S, daphne_command
from testing.client import backoff_delay, close_code, hello, is_terminal, open_socket
from testing.servers import wait_for_port

TENANTS = (("bench_a", "bench-a.bench"), ("bench_b", "bench-b.bench"))
# libpq reads PGAPPNAME, so every PostgreSQL backend a server process opens is findable.
SERVER_APP_NAME = "bench-server"
WORKER_APP_NAME = "bench-worker"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- processes -------------------------------------------------------------------------------


def raise_open_files() -> None:
    """Thousands of sockets need more descriptors than the usual soft limit of 1024; children
    (the servers) inherit the raised limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process so far (0 if it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def start_daphne(
    port: int,
    app: str = APPLICATION,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    connect_timeout: int = CONNECT_TIMEOUT_S,
) -> subprocess.Popen[bytes]:
    """The product's command line (config/daphne_cmd.py), serving `app` (Aviso's or a
    baseline's) so every system is measured under the same server options; the baselines
    on stock Daphne (and asyncio's own loop), Aviso on its own server class on uvloop
    (config/daphne_run.py)."""
    output = log.open("ab") if log else subprocess.DEVNULL
    return subprocess.Popen(
        daphne_command(
            port=port,
            application=app,
            connect_timeout=connect_timeout,
            # The baselines are stock Channels on stock Daphne.
            stock_server=app != APPLICATION,
        ),
        cwd=ROOT,
        env={**os.environ, "PGAPPNAME": SERVER_APP_NAME, **(env or {})},
        stdout=output,
        stderr=output,
    )


class Servers:
    """A set of Daphne processes serving one ASGI app on fixed ports (kept across restarts)."""

    def __init__(
        self,
        app: str,
        ports: Sequence[int],
        env: dict[str, str] | None = None,
        log_dir: Path | None = None,
        connect_timeout: int = CONNECT_TIMEOUT_S,
    ):
        self.connect_timeout = connect_timeout
        self.app = app
        self.ports = list(ports)
        self.env = env
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        self.processes = [
            start_daphne(port, self.app, self.env, self.log_path(port), self.connect_timeout)
            for port in self.ports
        ]
        for port, process in zip(self.ports, self.processes, strict=True):
            wait_for_port(port, process, seconds=30)

    def log_path(self, port: int) -> Path | None:
        if self.log_dir is None:
            return None
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return self.log_dir / f"{self.app.split(':')[0]}-{port}.log"

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would: no close frames, sockets just drop."""
        for process in self.processes:
            process.send_signal(signal.SIGKILL)
        for process in self.processes:
            process.wait()

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def rss_kib(self) -> int:
        return sum(rss_kib(pid) for pid in self.pids)

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)


def start_celery_worker(
    log: Path,
    *,
    hostname: str,
    app_name: str = WORKER_APP_NAME,
    include: Sequence[str] = (),
    concurrency: int = 2,
) -> subprocess.Popen[bytes]:
    """`celery worker` as deployed (prefork, two processes: this machine's cores) on the
    project's app, plus the task modules in `include`; returns once it logged " ready."."""
    log.parent.mkdir(parents=True, exist_ok=True)
    output = log.open("ab")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config.celery",
            "worker",
            *(["--include", ",".join(include)] if include else []),
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--hostname",
            f"{hostname}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env={**os.environ, "PGAPPNAME": app_name},
        stdout=output,
        stderr=output,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited with {process.returncode} (see {log})")
        if b" ready." in log.read_bytes():
            return process
        time.sleep(0.2)
    raise RuntimeError(f"celery worker not ready after 60 s (see {log})")


# --- database and population -----------------------------------------------------------------


def prepare(database: str) -> None:
    """A fresh database with the platform and tenant apps migrated; Django set up on it."""
    fresh_database(database)
    os.environ.update(bench_env(database))
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--tenant", "-v", "0"],
        check=True,
        env=os.environ.copy(),
    )
    import django

    django.setup()


T = TypeVar("T")


def run_clients(main: Coroutine[Any, Any, T]) -> T:
    """Run the bench's clients (thousands of sockets in this one process) on uvloop, the loop
    Aviso's servers run on: on this two-core machine the clients' own CPU is taken from the
    servers being measured (half a core through a reconnect storm of 5,000 on asyncio's
    loop), the same for every system."""
    import uvloop

    return uvloop.run(main)


def measured_on_fresh_servers(
    *, database: str, daphnes: int, measure: Callable[["Servers"], Coroutine[Any, Any, T]]
) -> T:
    """A fresh bench database, `daphnes` Daphne processes on it, `measure` run against them;
    the servers are stopped and the database dropped whatever happens."""
    raise_open_files()
    prepare(database)
    from testing.servers import free_port

    servers = Servers("config.asgi:application", [free_port() for _ in range(daphnes)])
    try:
        servers.start()
        time.sleep(1)
        return run_clients(measure(servers))
    finally:
        servers.stop()
        from django.db import connections

        connections.close_all()
        drop_database(database)


def make_population(
    sockets: int, tenants: Sequence[tuple[str, str]] = TENANTS, first: int = 0
) -> list[dict[str, Any]]:
    """Schools (onboarded unless they exist), students and their sessions; one plan (who,
    where, cookie) per socket, spread round-robin over the tenants. Students are numbered
    from `first`, so a second population can join the same schools."""
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from tenants.models import Tenant
    from testing.tenants import onboard, session_for

    for slug, domain in tenants:
        if not Tenant.objects.filter(schema_name=slug).exists():
            onboard(slug=slug, kind="school", domain=domain)
    by_slug = {slug: Tenant.objects.get(schema_name=slug) for slug, _ in tenants}
    plans = []
    for index in range(first, first + sockets):
        slug, domain = tenants[index % len(tenants)]
        tenant = by_slug[slug]
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


def stamp_commit() -> list[float]:
    """Call first inside the transaction: its callback runs before notify's own (they run in
    order), so the stamp is the commit itself, not the end of publishing."""
    from django.db import transaction

    stamp: list[float] = []
    transaction.on_commit(lambda: stamp.append(time.time()))
    return stamp


def publish(
    plans: Sequence[dict[str, Any]], targets: Sequence[int], title: str
) -> dict[tuple[int, int], float]:
    """notify() each target user in its own transaction; returns commit times by (socket, seq)."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from realtime.services import notify
    from testing.notifications import TEST_MESSAGE, TestMessageParams

    committed = {}
    for index in targets:
        plan = plans[index]
        with schema_context(plan["schema"]):
            with transaction.atomic():
                stamp = stamp_commit()
                (n,) = notify(
                    recipients=[plan["user_id"]],
                    kind=TEST_MESSAGE,
                    params=TestMessageParams(text=title),
                )
            committed[(index, n.seq)] = stamp[0]
    return committed


def broadcast(
    plans: Sequence[dict[str, Any]], title: str
) -> tuple[float, dict[tuple[int, int], float]]:
    """One notify per tenant to every user of it (a school-wide announcement)."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from realtime.services import notify
    from testing.notifications import TEST_MESSAGE, TestMessageParams

    by_user = {(p["schema"], p["user_id"]): i for i, p in enumerate(plans)}
    committed = {}
    started = time.time()
    for slug in dict.fromkeys(p["schema"] for p in plans):
        users = [p["user_id"] for p in plans if p["schema"] == slug]
        with schema_context(slug):
            with transaction.atomic():
                stamp = stamp_commit()
                created = notify(
                    recipients=users, kind=TEST_MESSAGE, params=TestMessageParams(text=title)
                )
            for n in created:
                committed[(by_user[(slug, n.recipient_id)], n.seq)] = stamp[-1]
    return started, committed


# --- clients ---------------------------------------------------------------------------------


def ws_frame_bytes(payload: int) -> int:
    """Bytes of a server→client (unmasked) WebSocket frame carrying `payload` bytes."""
    return payload + (2 if payload < 126 else 4 if payload < 65536 else 10)


class BenchClient:
    """One simulated page. `received` maps a notification key (Aviso and polling: its seq;
    vanilla: its id) to its first arrival time and `duplicates` counts keys that arrived
    again; `bytes_in` and `bytes_out` count what crossed this client's socket (application
    bytes, headers and WebSocket framing included; TCP/IP overhead not); `ready_at` lists
    every moment the client became up to date (Aviso: `ready` after replay; others: their own
    notion)."""

    reconnect_forever = False

    def __init__(self, plan: dict[str, Any], port: int) -> None:
        self.plan = plan
        self.port = port
        self.received: dict[int, float] = {}
        self.duplicates = 0
        self.bytes_in = 0
        self.bytes_out = 0
        self.requests = 0
        self.ready = asyncio.Event()
        self.ready_at: list[float] = []
        self.attempt = 0
        self.attempts = 0  # sessions started, first one included
        self.failures: Counter[str] = Counter()  # how sessions ended, by exception name
        self.stopped = False

    def got(self, key: int) -> None:
        """A notification arrived: its first arrival counts, a repeat is a duplicate."""
        if key in self.received:
            self.duplicates += 1
        else:
            self.received[key] = time.time()

    def mark_ready(self) -> None:
        self.ready_at.append(time.time())
        self.ready.set()

    def mark_open(self) -> None:
        self.attempt = 0

    async def session(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        self.stopped = True

    def retry_delay(self) -> float:
        """Exponential backoff with full jitter, as static/aviso/socket.js (every system's
        client waits the same, so the storm compares servers, not client policies)."""
        delay = backoff_delay(self.attempt)
        self.attempt += 1
        return delay

    async def run(self, reconnect: bool = False) -> None:
        while not self.stopped:
            self.attempts += 1
            try:
                await self.session()
                self.failures["closed"] += 1
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                self.failures[type(exc).__name__] += 1
            except Exception as exc:
                if type(exc).__module__.split(".")[0] != "websockets":
                    raise
                status = getattr(getattr(exc, "response", None), "status_code", None)
                self.failures[f"{type(exc).__name__} {status or ''}".strip()] += 1
            self.ready.clear()
            if not reconnect or self.stopped:
                return
            await asyncio.sleep(self.retry_delay())


class AvisoClient(BenchClient):
    """Aviso's protocol: hello with the highest seq seen, replay, ready, then live copies."""

    def __init__(self, plan: dict[str, Any], port: int) -> None:
        super().__init__(plan, port)
        self.ws: Any = None
        self.last_seq = 0

    async def session(self) -> None:
        self.ws = await open_socket(
            domain=self.plan["domain"],
            port=self.port,
            session_key=self.plan["session"],
            open_timeout=60,
            ping_interval=None,
            close_timeout=1,
        )
        self.mark_open()
        greeting = hello(self.last_seq)
        self.bytes_out += ws_frame_bytes(len(greeting)) + 4  # client frames carry a mask
        await self.ws.send(greeting)
        try:
            async for raw in self.ws:
                self.bytes_in += ws_frame_bytes(len(raw.encode() if isinstance(raw, str) else raw))
                frame = json.loads(raw)
                if frame["type"] == "ready":
                    self.mark_ready()
                elif frame["type"] == "notification":
                    seq = frame["notification"]["seq"]
                    self.got(seq)
                    self.last_seq = max(self.last_seq, seq)
        except ConnectionClosed as closed:
            # The server's table says which closes end the page's retrying (signed out...).
            if is_terminal(close_code(closed)):
                self.stopped = True
            raise

    async def close(self) -> None:
        self.stopped = True
        if self.ws is not None:
            await self.ws.close()
