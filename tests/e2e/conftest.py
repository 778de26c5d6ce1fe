"""Browser end-to-end: headless Chromium against a real Daphne and a real Celery worker, on
this run's PostgreSQL database and Redis prefix. Test data is committed (live_db) in this
process before or while the browser acts, so Daphne sees it."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

from testing.proxy import CuttableProxy
from testing.servers import LOGS, daphne, free_port
from tests.celery_worker import real_worker
from tests.e2e.browser import CHROMIUM, Browsing, chromium

SERVER_ERROR = re.compile(r'" 5\d\d ')  # an access-log line of a 5xx answer


@pytest.fixture(autouse=True, scope="package")
def _needs_chromium() -> None:  # package scope: checked before Daphne is started
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")


@pytest.fixture(scope="package")
def site_port(django_db_setup: None, django_db_blocker: Any) -> Iterator[int]:
    """The product as deployed: Daphne serving HTTP and WebSockets, tasks queued to a worker."""
    with (
        django_db_blocker.unblock(),
        real_worker(),
        daphne(CELERY_TASK_ALWAYS_EAGER="false") as port,
    ):
        yield port


@pytest.fixture(scope="package")
def browser(site_port: int) -> Iterator[Browser]:
    with chromium() as launched:  # after Daphne (site_port): see chromium()
        yield launched


@pytest.fixture
def browsing(
    browser: Browser, site_port: int, request: pytest.FixtureRequest
) -> Iterator[Browsing]:
    server_log = LOGS / f"daphne-{site_port}.log"
    logged_before = server_log.stat().st_size
    session = Browsing(browser, port=site_port, test_name=request.node.name)
    yield session
    errors = session.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"
    with server_log.open("rb") as log:
        log.seek(logged_before)
        lines = log.read().decode(errors="replace").splitlines()
    failures = [line for line in lines if "Traceback" in line or SERVER_ERROR.search(line)]
    assert not failures, f"the server failed while the browser used it: {failures}"


@pytest.fixture
def proxy(site_port: int) -> Iterator[CuttableProxy]:
    """A network link between the browser and Daphne that the test can cut."""
    link = CuttableProxy(listen_port=free_port(), target_port=site_port)
    yield link
    link.close()
