"""Kept for the tests that import from here; the servers live in testing/servers.py (shared
with tests/faults/ and bench/)."""

from testing.servers import BIN, ROOT, daphne, free_port, server_env, wait_for_port

__all__ = ["BIN", "ROOT", "daphne", "free_port", "server_env", "wait_for_port"]
