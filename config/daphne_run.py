"""`python -m config.daphne_run <Daphne's arguments>`: Daphne's command line with Aviso's
server class (config/daphne_server.py) on uvloop.

Twisted runs on an asyncio loop here (Daphne installs its asyncio reactor on a loop it makes
with asyncio.new_event_loop() when daphne.server is first imported), so the loop's policy
must be set before that import: this module does it and nothing else. uvloop (MagicStack, on
libuv; uvicorn's default loop; Twisted's asyncio reactor takes it since 21.7) does the loop's
own bookkeeping (handles, readers added and removed at every database wait and frame
written, timers) in C: an eighth of a server's Python time in a reconnect storm on the stock
loop. Measured here: server CPU to take back a storm of 5,000, 9.5 and 9.6 s on the stock
loop, 9.2 and 9.1 s on uvloop (bench/results/storm-backlog-*, storm-uvloop-*). A small
gain, kept because it costs nothing else: the whole test suite runs its servers on it."""

import asyncio

import uvloop

asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

from config.daphne_server import AvisoCommandLine  # noqa: E402 -- after the loop's policy

if __name__ == "__main__":
    AvisoCommandLine.entrypoint()
