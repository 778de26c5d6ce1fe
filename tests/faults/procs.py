"""Processes the fault tests own and break on purpose: a private redis-server, Daphne servers
and Celery workers. Unlike testing.servers.daphne these hand out the process, so a test can
SIGKILL it and start it again on the same port (what a supervisor would do)."""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

from testing.servers import BIN, LOGS, ROOT, daphne_command, free_port, server_env, wait_for_port


class Proc:
    """One restartable server process; subclasses say how to start it."""

    name = "proc"

    def __init__(self, *, port: int | None = None, **env: str) -> None:
        self.port = port or free_port()
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.log: IO[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return server_env(**self.env)

    @property
    def log_path(self) -> Path:
        return LOGS / f"faults-{self.name}-{self.port}.log"

    def start(self, *, wait: bool = True) -> "Proc":
        assert self.process is None or self.process.poll() is not None, "already running"
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        # Own process group: a kill reaches the server and whatever children it forked.
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.environment(),
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self) -> None:
        assert self.process is not None
        wait_for_port(self.port, self.process)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, no goodbye: sockets drop, nothing is flushed or acknowledged."""
        self._signal(signal.SIGKILL)
        self._reap(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP: the process hangs (a stuck event loop, a long pause) but keeps its sockets."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def stop(self) -> None:
        """SIGTERM (a graceful stop), SIGKILL if it does not go in time."""
        if not self.running:
            self._reap(timeout=1)
            return
        self._signal(signal.SIGCONT)  # a frozen process cannot act on SIGTERM
        self._signal(signal.SIGTERM)
        try:
            self._reap(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, sig: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def _reap(self, *, timeout: float) -> None:
        if self.process is not None:
            self.process.wait(timeout=timeout)
        if self.log is not None:
            self.log.close()
            self.log = None

    def __enter__(self) -> "Proc":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RedisServer(Proc):
    """A private, memory-only Redis: restarting it loses everything, like a crashed Redis
    without persistence (the worst case for group memberships and queued live copies)."""

    name = "redis"

    def command(self) -> list[str]:
        return [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Daphne(Proc):
    """The product's ASGI app under Daphne, with the product's command line."""

    name = "daphne"

    def command(self) -> list[str]:
        return daphne_command(port=self.port)


class CeleryWorker(Proc):
    """`celery worker` for the product's app (via tests.faults.celery_app, which only shortens
    the broker's visibility timeout). It listens on no port: ready means it said so in its log."""

    name = "celery"

    def __init__(self, *, hostname: str, pool: str = "prefork", **env: str) -> None:
        super().__init__(port=free_port(), **env)
        self.hostname = hostname
        self.pool = pool

    def command(self) -> list[str]:
        return [
            str(BIN / "celery"),
            "-A",
            "tests.faults.celery_app",
            "worker",
            "--pool",
            self.pool,
            "--concurrency",
            "1",
            "--hostname",
            f"{self.hostname}@faults",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ]

    def environment(self) -> dict[str, str]:
        return server_env(CELERY_TASK_ALWAYS_EAGER="False", **self.env)

    def wait_ready(self, seconds: float = 30) -> None:
        assert self.process is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited with {self.process.returncode}")
            if b" ready." in self.log_path.read_bytes()[self._log_start :]:
                return
            time.sleep(0.1)
        raise RuntimeError(f"celery worker not ready after {seconds}s (see {self.log_path})")

    def start(self, *, wait: bool = True) -> "Proc":
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        return super().start(wait=wait)

    def pool_children(self) -> list[int]:
        """Pids of the prefork pool's processes (where tasks run)."""
        assert self.process is not None
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in out.stdout.split()]
