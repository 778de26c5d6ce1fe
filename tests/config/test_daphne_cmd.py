"""The product's Daphne command line (config/daphne_cmd.py): while a server is too busy to
accept (a reconnect storm, every page of a school at once), connections wait for it in the
kernel's queue instead of being dropped for their TCP to resend seconds later."""

import signal
import socket

from testing.servers import daphne_process
from tests.config.test_daphne_server import RawSocket

WAITING = 300  # Twisted's own listen queue (what Daphne's -b/-p give) holds 50


def test_connections_wait_for_a_busy_server_instead_of_being_dropped() -> None:
    # given a Daphne started with the product's command line, frozen as if busy
    app = "tests.config.daphne_apps:holds_open"
    sockets: list[socket.socket] = []
    with daphne_process(None, application=app) as (port, process):
        try:
            process.send_signal(signal.SIGSTOP)
            # when many clients connect meanwhile
            for _ in range(WAITING):
                sock = socket.socket()
                sock.settimeout(0.5)  # a dropped connection's first resend comes after 1 s
                try:
                    sock.connect(("127.0.0.1", port))
                except TimeoutError:
                    sock.close()
                    break
                sockets.append(sock)
            # then every one of them got in line
            assert len(sockets) == WAITING, f"only {len(sockets)} connections were queued"
            # and once the server runs again, each is answered
            process.send_signal(signal.SIGCONT)
            for sock in sockets:
                sock.settimeout(15)
                RawSocket(port, sock=sock)  # upgraded (101), or it raises
        finally:
            process.send_signal(signal.SIGCONT)
            for sock in sockets:
                sock.close()
