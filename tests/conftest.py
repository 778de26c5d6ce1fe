"""Session-wide test tenants: the real onboarding path (clone of the template schema) makes
two schools and two clinics once; every test runs with a second tenant of its kind beside it.

`db` tests run inside a transaction that is rolled back. Tests whose data must be seen by
other threads or processes (sockets, Daphne, Celery workers) use `live_db`: they commit, and
the tenant schemas' data tables are emptied afterwards.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name

from config.redis import redis_client
from tenants.db import current_schema_name, use_public_schema
from tenants.models import Tenant
from tenants.services import platform_ensure
from testing.server_logs import Ledger
from testing.tenants import onboard

TEST_TENANTS = (
    ("school_a", "Alpha School", "school", "alpha-school.test"),
    ("school_b", "Beta School", "school", "beta-school.test"),
    ("clinic_a", "Alpha Dental", "clinic", "alpha-dental.test"),
    ("clinic_b", "Beta Dental", "clinic", "beta-dental.test"),
)
PUBLIC_DOMAIN = "aviso.test"
# Tables whose rows are part of a schema's setup, not test data.
KEEP_TABLES = {"django_migrations", "django_site", "django_content_type", "auth_permission"}


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
) -> Iterator[None]:
    """pytest-django's own fixture sets databases up only when some collected test carries a
    django_db mark; socket tests use live_db instead, so the test database is made here."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases={"default": {}},
            serialized_aliases=[],
        )
        assert connection.settings_dict["NAME"].startswith("test_"), "not a test database"
        platform_ensure(public_domain=PUBLIC_DOMAIN)
        for slug, name, kind, domain in TEST_TENANTS:
            onboard(slug=slug, kind=kind, domain=domain, name=name)
    yield
    with django_db_blocker.unblock():
        use_public_schema()
        # Connections left open by worker threads (sync_to_async, servers) would block DROP.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        teardown_databases(config, verbosity=request.config.option.verbose)


def _tenant(slug: str) -> Tenant:
    return Tenant.objects.get(schema_name=slug)


@pytest.fixture
def school(django_db_setup: None, django_db_blocker: Any) -> Tenant:
    with django_db_blocker.unblock():
        return _tenant("school_a")


@pytest.fixture
def school_b(django_db_setup: None, django_db_blocker: Any) -> Tenant:
    with django_db_blocker.unblock():
        return _tenant("school_b")


@pytest.fixture
def clinic(django_db_setup: None, django_db_blocker: Any) -> Tenant:
    with django_db_blocker.unblock():
        return _tenant("clinic_a")


@pytest.fixture
def clinic_b(django_db_setup: None, django_db_blocker: Any) -> Tenant:
    with django_db_blocker.unblock():
        return _tenant("clinic_b")


def truncate_test_data() -> None:
    """Empty every tenant schema's data tables (committed by live_db tests)."""
    with connection.cursor() as cursor:
        for slug, *_ in TEST_TENANTS:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [slug])
            tables = [row[0] for row in cursor.fetchall() if row[0] not in KEEP_TABLES]
            if tables:
                names = ", ".join(f'"{slug}"."{t}"' for t in tables)
                cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        use_public_schema()


@pytest.fixture
def live_db(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Real commits, visible to other threads and processes; data emptied afterwards."""
    with django_db_blocker.unblock():
        use_public_schema()
        settings_before = _tenant_settings()
        yield
        use_public_schema()
        truncate_test_data()
        # A test that committed a tenant's language, zone or status must not hand it on.
        for pk, values in settings_before.items():
            Tenant.objects.filter(pk=pk).update(**values)


TENANT_SETTINGS = ("name", "status", "default_language", "currency", "timezone")


def _tenant_settings() -> dict[int, dict[str, Any]]:
    """The test tenants' own settings (public rows, which truncate_test_data keeps)."""
    slugs = [slug for slug, *_ in TEST_TENANTS]
    return {
        row.pop("pk"): row
        for row in Tenant.objects.filter(schema_name__in=slugs).values("pk", *TENANT_SETTINGS)
    }


@pytest.fixture(autouse=True, scope="session")
def _redis_keys_of_this_run() -> Iterator[None]:
    """This run's Redis keys (one prefix per run) are deleted when it ends."""
    yield
    client = redis_client()
    for key in client.scan_iter(match=f"{settings.REDIS_KEY_PREFIX}*", count=1000):
        client.delete(key)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "server_tracebacks(reason): this test makes a server under test log tracebacks on "
        "purpose (exempts it from the no-traceback check of the server logs)",
    )


@pytest.fixture(autouse=True, scope="session")
def _server_log_ledger() -> Iterator[Ledger]:
    """The server log of a test run has no traceback from a request: what no test wrote
    (a server's start and stop, between tests) is checked when the run ends."""
    ledger = Ledger()
    yield ledger
    found = ledger.unexplained_tracebacks()
    assert not found, f"tracebacks in the logs of servers under test: {found}"


@pytest.fixture(autouse=True)
def _no_traceback_in_server_logs(
    _server_log_ledger: Ledger, request: pytest.FixtureRequest
) -> Iterator[None]:
    """A traceback a server under test logged during this test fails the test, unless it is
    marked server_tracebacks (with the reason it causes them on purpose)."""
    before = _server_log_ledger.sizes()
    yield
    if request.node.get_closest_marker("server_tracebacks") is not None:
        _server_log_ledger.allow_since(before)
        return
    found = _server_log_ledger.tracebacks_since(before)
    assert not found, f"a server under test logged tracebacks during this test: {found}"


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> None:
    """channels-redis binds its locks to the event loop that first used them; every async test
    has its own loop, so each test gets its own layer instance (same Redis, same prefix)."""
    from channels.layers import channel_layers

    from realtime.asgi import forget_known_hosts

    channel_layers.backends.clear()
    # Like a fresh process: no tenant host remembered from another test's handshakes.
    forget_known_hosts()


@pytest.fixture(autouse=True)
def _socket_connections_end_with_their_loop() -> Iterator[None]:
    """Each async test has its own event loop; the sockets' loop connections
    (realtime.socket_sql) are closed with it."""
    yield
    from realtime.socket_sql import drop_connections

    drop_connections()


@pytest.fixture(autouse=True)
def _public_schema_between_tests() -> Iterator[None]:
    yield
    if connection.connection is not None and current_schema_name() != get_public_schema_name():
        use_public_schema()
