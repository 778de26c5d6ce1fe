"""The only door from async realtime code to the database.

Channels' default runs every `database_sync_to_async` call of a process on one shared thread
with one connection, so setting the schema once per socket leaks: another socket's call
switches it in between. So each call here enters the schema it needs inside the same
synchronous function, before anything touches the database; no call relies on the schema a
previous one left. The connection keeps the last schema (tenants.db.keep_schema_of): the
next call for the same tenant then needs no `SET search_path` round trip, which was 9 % of a
handshake's samples when every call set the schema and set it back. That also makes it
safe to run the calls on a small pool of threads (each with its own connection) instead of
the one shared thread, which a reconnect storm of thousands of sockets otherwise queues on.
Each call closes stale connections before and after, as channels' database_sync_to_async.
Realtime code must use these wrappers and nothing else (a test scans the source for async ORM
calls, set_tenant/set_schema and stray sync_to_async).
"""

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, partial, wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.db import close_old_connections

from tenants.db import keep_public_schema, keep_schema_of
from tenants.models import Tenant

P = ParamSpec("P")
R = TypeVar("R")


@cache
def _db_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(
        max_workers=settings.AVISO_WS_DB_THREADS, thread_name_prefix="aviso-socket-db"
    )


def _with_fresh_connection(run: Callable[..., R], args: Any, kwargs: Any) -> R:
    """What channels.db.DatabaseSyncToAsync does around a call, as Django does around a
    request: a connection past its age, or broken, is closed (and health-checked on next use)."""
    close_old_connections()
    try:
        return run(*args, **kwargs)
    finally:
        close_old_connections()


async def _on_db_thread(run: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    # A bare executor hop, not asgiref's sync_to_async: its context copying, thread-sensitive
    # bookkeeping and future chaining were a seventh of the process's time in a reconnect
    # storm, and these calls need none of it (no contextvars, a thread of their own).
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        _db_threads(), partial(_with_fresh_connection, run, args, kwargs)
    )


@cache
def tenant_db(func: Callable[P, R]) -> Callable[Concatenate[Tenant, P], Awaitable[R]]:
    """`await tenant_db(f)(tenant, ...)` runs `f(...)` in `tenant`'s schema on a DB thread.
    (Made once per function: building wrappers on every call showed in profiles too.)"""

    def run(tenant: Tenant, *args: Any, **kwargs: Any) -> R:
        keep_schema_of(tenant)
        return func(*args, **kwargs)

    @wraps(func)
    async def wrapper(tenant: Tenant, *args: P.args, **kwargs: P.kwargs) -> R:
        return await _on_db_thread(run, tenant, *args, **kwargs)

    return wrapper


@cache
def public_db(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`await public_db(f)(...)` runs `f(...)` in the public schema (the tenant registry)."""

    def run(*args: Any, **kwargs: Any) -> R:
        keep_public_schema()
        return func(*args, **kwargs)

    @wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return await _on_db_thread(run, *args, **kwargs)

    return wrapper
