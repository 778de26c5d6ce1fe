"""A refused request is logged as one line, not a traceback: tracebacks in the server log are
kept for real failures."""

import io
import logging
import logging.config
from collections.abc import Iterator

import pytest
from django.conf import settings

from accounts.roles import Role
from tenants.models import Tenant
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db


def _console_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if h.get_name() == "console"]


@pytest.fixture
def console_log() -> Iterator[io.StringIO]:
    """What the LOGGING setting's console handler writes, for the duration of a test."""
    if not _console_handlers():
        # A Celery worker started in this process earlier (tests/celery_worker.py) set up
        # logging its own way; the settings' configuration is what is under test.
        logging.config.dictConfig(settings.LOGGING)
    (handler,) = _console_handlers()
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        yield written
    finally:
        handler.setStream(previous)


def test_a_forbidden_page_logs_one_line_without_a_traceback(
    school: Tenant, console_log: io.StringIO
) -> None:
    # given a student
    student = make_user(school, Role.STUDENT)
    # when she opens an administrators' page
    response = client_for(school, student).get("/school/fees/")
    # then she is refused, and the log says so in one line with no traceback
    assert response.status_code == 403
    written = console_log.getvalue()
    assert "Forbidden" in written
    assert "Traceback" not in written


def test_a_server_failure_still_logs_its_traceback(console_log: io.StringIO) -> None:
    # given a failure logged the way Django logs a 500
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: /x/", exc_info=True, extra={"status_code": 500}
        )
    # then its traceback is kept
    assert "Traceback" in console_log.getvalue()
