"""One shared synchronous Redis client for small bookkeeping (metrics, presence)."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=15,
        decode_responses=True,
    )


def redis_key(*parts: str) -> str:
    return ":".join((settings.REDIS_KEY_PREFIX, *parts))
