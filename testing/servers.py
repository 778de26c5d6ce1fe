"""Real server processes for tests, fault tests and benchmarks: Daphne serving config.asgi
with the product's one command line (config/daphne_cmd.py), on loopback ports below 32768.

Importing this module does not set Django up (bench/ imports it before django.setup());
server_env() reads the live test database, so only a test run calls it."""

import http.client
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from config.daphne_cmd import APPLICATION, daphne_command

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Under pytest-xdist each worker's servers log apart (var/gw0/...): a worker checks the logs of
# the servers it started (testing.server_logs), not the other worker's.
LOGS = ROOT / "var" / os.environ.get("PYTEST_XDIST_WORKER", "")

__all__ = [
    "APPLICATION",
    "BIN",
    "LOGS",
    "ROOT",
    "Answer",
    "daphne",
    "daphne_command",
    "daphne_process",
    "free_port",
    "http_get",
    "server_env",
    "wait_for_port",
]


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
    from django.conf import settings
    from django.db import connection

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


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float


def http_get(
    port: int, *, host: str, path: str = "/", cookie: str = "", language: str = ""
) -> Answer:
    """One GET to a server on loopback `port` as `host` (a tenant's or the operators' domain),
    from a browser that asks for `language` (Accept-Language) if given."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        headers = {"Host": host, **({"Cookie": cookie} if cookie else {})}
        if language:
            headers["Accept-Language"] = language
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        return Answer(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            text=text,
            seconds=time.monotonic() - started,
        )
    finally:
        connection.close()


@contextmanager
def daphne_process(
    port: int | None = None,
    *,
    application: str = APPLICATION,
    options: Sequence[str] = (),
    **env: str,
) -> Iterator[tuple[int, "subprocess.Popen[bytes]"]]:
    """A Daphne process serving the product (or another `application`) to this test run, with
    Daphne `options` added to the product's command line; yields its port and the process
    (for a test that signals it); killed on exit. Its output goes to var/daphne-<port>.log."""
    port = port or free_port()
    log = open(LOGS / f"daphne-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603 -- our own argv
        [*daphne_command(port=port, application=application), *options],
        cwd=ROOT,
        env=server_env(**env),
        stdout=log,
        stderr=log,
    )
    try:
        wait_for_port(port, process)
        yield port, process
    finally:
        stop_process(process)
        log.close()


@contextmanager
def daphne(
    port: int | None = None,
    *,
    application: str = APPLICATION,
    options: Sequence[str] = (),
    **env: str,
) -> Iterator[int]:
    """daphne_process() for a test that needs only the port."""
    with daphne_process(port, application=application, options=options, **env) as (bound, _):
        yield bound


def stop_process(process: "subprocess.Popen[bytes]", *, timeout: float = 10) -> None:
    """SIGTERM (a graceful stop), then SIGKILL if it has not exited within `timeout`."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


LOGS.mkdir(parents=True, exist_ok=True)  # server logs, screenshots and traces of a run go there
