"""Real server processes for tests: Daphne serving config.asgi, Celery workers; all on this
run's test database and Redis key prefix, on loopback ports below 32768."""

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below 32768")


def server_env(**extra: str) -> dict[str, str]:
    """The environment of this test run, pointed at the test database that is live now."""
    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "REDIS_KEY_PREFIX": settings.REDIS_KEY_PREFIX,
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {seconds}s")


@contextmanager
def daphne(port: int | None = None, **env: str) -> Iterator[int]:
    """A Daphne process serving the product; yields its port; killed on exit."""
    port = port or free_port()
    command = [
        str(BIN / "daphne"),
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "--websocket-max-message-size",
        "131072",
        "--websocket_connect_timeout",
        "30",
        "config.asgi:application",
    ]
    log = open(ROOT / "var" / f"daphne-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=server_env(**env), stdout=log, stderr=log)
    try:
        wait_for_port(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


(ROOT / "var").mkdir(exist_ok=True)
