"""Settings of the vanilla Channels baseline: the Channels tutorial's, stock channels-redis
(default capacity, expiry and group expiry) under a key prefix of this run's own."""

import os

SECRET_KEY = "bench-vanilla-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["channels"]
ASGI_APPLICATION = "bench.baselines.vanilla.application"
USE_TZ = True
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")],
            "prefix": f"{os.environ.get('REDIS_KEY_PREFIX', 'bench')}:vanilla",
        },
    }
}
