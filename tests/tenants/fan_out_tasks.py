"""A test-only per-tenant job for the fan-out tests, loaded into their Celery worker with
`celery worker --include tests.tenants.fan_out_tasks` (the product never imports it).

It notes in Redis (this run's key prefix, which the worker shares) each schema it started and
finished in. In the schema the test names as slow it holds its worker process until the test
releases it (at most HOLD_SECONDS): a tenant whose run takes as long as the test wants."""

import time

from celery.exceptions import SoftTimeLimitExceeded

from config.celery import app
from config.redis import redis_client, redis_key
from tenants.db import current_schema_name

HOLD_SECONDS = 60


def key(name: str) -> str:
    return redis_key("fan-out-test", name)


@app.task(name="tests.fan_out.hold_one_tenant")
def hold_one_tenant() -> str:
    schema = current_schema_name()
    redis = redis_client()
    redis.rpush(key("started"), schema)
    if redis.get(key("slow")) == schema:
        deadline = time.monotonic() + HOLD_SECONDS
        try:
            while not redis.exists(key("release")) and time.monotonic() < deadline:
                time.sleep(0.05)
        except SoftTimeLimitExceeded:
            redis.rpush(key("interrupted"), schema)
            raise
    redis.rpush(key("finished"), schema)
    return schema
