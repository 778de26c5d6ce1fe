"""The product's Celery app for workers the fault tests kill (`celery -A tests.faults.celery_app
worker`). Only the broker's redelivery timing differs from config.settings: a worker that dies
without acknowledging leaves its message "unacked" in Redis, and Kombu hands it to another
worker once it is older than `visibility_timeout` (3600 s in settings). The tests cannot wait
an hour, so it is FAULTS_VISIBILITY_TIMEOUT seconds here, swept every second."""

import os

from config.celery import app

app.conf.broker_transport_options = {
    **(app.conf.broker_transport_options or {}),
    "visibility_timeout": float(os.environ.get("FAULTS_VISIBILITY_TIMEOUT", "4")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

__all__ = ["app"]
