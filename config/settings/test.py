"""Test runs: fast (cheap hashing, no manifest) but against the real PostgreSQL and Redis.

Each run gets its own database (AVISO_TEST_DB) and its own Redis key prefix, so concurrent
runs on one machine never see each other's keys or rows.
"""

import os

# Under pytest-xdist each worker is a run of its own: the controller's AVISO_TEST_DB and Redis
# prefix were inherited, so the worker's first import gives itself its own (the servers it
# starts inherit the marker and keep the worker's values).
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("AVISO_TEST_WORKER") != _worker:
    os.environ["AVISO_TEST_WORKER"] = _worker
    os.environ["AVISO_TEST_DB"] = f"{os.environ.get('AVISO_TEST_DB', 'aviso')}_{_worker}"
    os.environ.pop("REDIS_KEY_PREFIX", None)

_run = os.environ.setdefault("AVISO_TEST_RUN_ID", f"{os.getpid()}")
_db = os.environ.get("AVISO_TEST_DB", "aviso")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret-6c2d8a1f")
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{_db}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("REDIS_KEY_PREFIX", f"aviso-test-{_db}-{_run}")
os.environ.setdefault("AVISO_URL_SCHEME", "http")
os.environ.setdefault("AVISO_EXTRA_NOTIFICATION_MODULES", "testing.notifications")

from .base import *  # noqa: E402,F403
from .base import DATABASES, env  # noqa: E402

# Test servers may turn it on (DJANGO_DEBUG=True) to show what a developer would see.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": f"test_{_db}"}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
