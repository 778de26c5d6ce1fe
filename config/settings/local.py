"""Developer machine: debug on, e-mails printed to the console, demo secrets allowed."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-only-not-a-secret-0f4b1c9e7a")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aviso")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
os.environ.setdefault("AVISO_URL_SCHEME", "http")
os.environ.setdefault("AVISO_PUBLIC_PORT", "8000")

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
