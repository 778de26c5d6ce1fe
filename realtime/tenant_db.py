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
Realtime code must use these wrappers and nothing else (a test scans the source for async ORM
calls, set_tenant/set_schema and stray sync_to_async).
"""

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, wraps
from typing import Concatenate, ParamSpec, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings

from tenants.db import keep_public_schema, keep_schema_of
from tenants.models import Tenant

P = ParamSpec("P")
R = TypeVar("R")


@cache
def _db_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(
        max_workers=settings.AVISO_WS_DB_THREADS, thread_name_prefix="aviso-socket-db"
    )


def _on_db_thread(run: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    return database_sync_to_async(run, thread_sensitive=False, executor=_db_threads())


def tenant_db(func: Callable[P, R]) -> Callable[Concatenate[Tenant, P], Awaitable[R]]:
    """`await tenant_db(f)(tenant, ...)` runs `f(...)` in `tenant`'s schema on the DB thread."""

    def run(tenant: Tenant, *args: P.args, **kwargs: P.kwargs) -> R:
        keep_schema_of(tenant)
        return func(*args, **kwargs)

    @wraps(func)
    async def wrapper(tenant: Tenant, *args: P.args, **kwargs: P.kwargs) -> R:
        result: R = await _on_db_thread(run)(tenant, *args, **kwargs)
        return result

    return wrapper


def public_db(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`await public_db(f)(...)` runs `f(...)` in the public schema (the tenant registry)."""

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        keep_public_schema()
        return func(*args, **kwargs)

    @wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        result: R = await _on_db_thread(run)(*args, **kwargs)
        return result

    return wrapper
