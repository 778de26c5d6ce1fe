"""Celery's worker loads allauth's adapter (people.adapter) before any other allauth account
module (its Django fixup runs allauth's system checks): that order once closed an import circle
inside allauth and every worker died at start."""

import os
import subprocess
import sys

from django.conf import settings


def test_a_fresh_process_can_load_the_adapter_first() -> None:
    # given a new process, as a worker starts: Django set up, nothing of allauth imported yet
    code = "import django; django.setup(); import people.adapter"
    # when it loads the adapter first
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then it loads
    assert done.returncode == 0, done.stderr[-2000:]
