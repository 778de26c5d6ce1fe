"""One shared synchronous Redis client for small bookkeeping (metrics, presence)."""

from functools import lru_cache
from typing import Any

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


def realtime_redis_url() -> str:
    """The Redis of the real-time fast path (the hub's Pub/Sub, the channel layer): the channel
    layer's first host, so the two can never point at different servers."""
    try:
        layers: Any = settings.CHANNEL_LAYERS
        address = layers["default"]["CONFIG"]["hosts"][0]
    except (KeyError, IndexError, TypeError):
        return str(settings.REDIS_URL)
    return str(address["address"] if isinstance(address, dict) else address)


@lru_cache(maxsize=4)
def realtime_publisher(url: str) -> redis.Redis:
    """A synchronous client for publishing to the hub (services, Celery tasks)."""
    return redis.Redis.from_url(
        url,
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=15,
        decode_responses=True,
    )


def redis_key(*parts: str) -> str:
    return ":".join((settings.REDIS_KEY_PREFIX, *parts))
