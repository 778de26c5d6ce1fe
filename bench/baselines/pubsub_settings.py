"""Settings of the second vanilla baseline: the same Channels tutorial consumer
(bench/baselines/vanilla.py) on channels-redis's RedisPubSubChannelLayer, stock options. A
group is a Redis pub/sub channel that each server process subscribes to once, so a
`group_send` is one PUBLISH and each process fans it out to its own sockets."""

import os

from bench.baselines.vanilla_settings import *  # noqa: F403

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")],
            # Pub/sub channels are server-wide (not per database): this run's own prefix.
            "prefix": f"{os.environ.get('REDIS_KEY_PREFIX', 'bench')}:pubsub",
        },
    }
}
