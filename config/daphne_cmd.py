"""The one Daphne command line. The Procfile and infra/entrypoint.sh run
`python -m config.daphne_cmd --bind ... --port ... --proxy-headers`, which execs it;
testing/servers.py (tests, fault tests) and bench/ build theirs with daphne_command(), so a
server under test runs with the options production runs with. It is Daphne's command line
run with Aviso's server class (config/daphne_server.py) on uvloop (config/daphne_run.py);
the bench's vanilla baselines ask for stock Daphne (`stock_server`)."""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

APPLICATION = "config.asgi:application"
SERVER_MODULE = "config.daphne_run"
# Daphne drops a frame over this before reading it; the protocol's own limit (64 KiB,
# realtime/protocol.py MAX_FRAME_BYTES) is enforced by the consumer below it.
MAX_MESSAGE_BYTES = 128 * 1024
# A 30 s handshake window: in a reconnect storm a slow accept beats a dropped handshake that
# the client retries (Daphne's default is 5 s).
CONNECT_TIMEOUT_S = 30
# Keepalive pings. They keep an idle socket open through proxies that close a connection
# silent for 55-60 s (Heroku's router 55 s; nginx's proxy_read_timeout, AWS ALB: 60 s) and
# find a client that has gone (a laptop shut) within interval + timeout: 45 + 20 s. Daphne's
# 20 + 30 s pinged twice as often for no user-visible gain: with 10,000 idle sockets the
# pings were nearly all of a server's idle CPU (bench/README.md, "Idle sockets"). Behind a
# proxy with a shorter idle timeout, set AVISO_WS_PING_INTERVAL_S below it.
PING_INTERVAL_S = int(os.environ.get("AVISO_WS_PING_INTERVAL_S", "45"))
PING_TIMEOUT_S = 20
# The kernel's queue of connections not yet accepted. Twisted listens with 50 (Daphne's -b/-p
# give no say): when every page of a school reconnects at once (a deploy, a restart), the
# 51st waiting connection is dropped and its client's TCP resends only after 1, 3, 7 s.
# Linux caps it at net.core.somaxconn (4096 since 5.4); gunicorn and uvicorn ask for 2048.
LISTEN_BACKLOG = 4096


def endpoint(*, bind: str, port: int, backlog: int = LISTEN_BACKLOG) -> str:
    """The endpoint string Daphne builds from -b/-p (its own escaping of an IPv6 address),
    with `backlog` added."""
    from daphne.endpoints import build_endpoint_description_strings

    (tcp,) = build_endpoint_description_strings(host=bind, port=port)
    return f"{tcp}:backlog={int(backlog)}"


def daphne_command(
    *,
    port: int,
    bind: str = "127.0.0.1",
    proxy_headers: bool = False,
    application: str = APPLICATION,
    connect_timeout: int = CONNECT_TIMEOUT_S,
    stock_server: bool = False,
) -> list[str]:
    """argv of a Daphne serving `application` on bind:port. `proxy_headers` trusts
    X-Forwarded-For/-Proto, which only a server behind a proxy that sets them may do."""
    runner = (
        # The console script installed next to this interpreter (the venv's, or the image's).
        [str(Path(sys.executable).parent / "daphne")]
        if stock_server
        else [sys.executable, "-m", SERVER_MODULE]
    )
    return [
        *runner,
        "-e",
        endpoint(bind=bind, port=port),
        "--websocket-max-message-size",
        str(MAX_MESSAGE_BYTES),
        "--websocket_connect_timeout",
        str(connect_timeout),
        "--ping-interval",
        str(PING_INTERVAL_S),
        "--ping-timeout",
        str(PING_TIMEOUT_S),
        *(["--proxy-headers"] if proxy_headers else []),
        application,
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m config.daphne_cmd", description=__doc__)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--proxy-headers", action="store_true")
    parser.add_argument("--print", action="store_true", help="print the command, do not run it")
    args = parser.parse_args(argv)
    command = daphne_command(port=args.port, bind=args.bind, proxy_headers=args.proxy_headers)
    if args.print:
        print(" ".join(command))
        return
    os.execv(command[0], command)  # noqa: S606 -- our own argv, no shell involved


if __name__ == "__main__":
    main()
