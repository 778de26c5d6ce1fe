"""PostgreSQL goes away under load and comes back, as in a restart.

How the outage is made: NOT by restarting PostgreSQL (the machine's one server is shared with
other test runs). The Daphne and Celery processes under test reach it through a CuttableProxy
(testing/proxy.py) on a loopback port; cutting it resets every established connection and
refuses new ones, which is what clients of a restarting server see; restoring it lets them
connect again. This test process itself talks to PostgreSQL directly (to arrange and check).

During the outage: pages answer the styled 503 with Retry-After (never a 500, no traceback in
the server's log), a new socket and an open one that needs the database close with 4503,
/readyz answers 503 naming postgres, and the clinic's reminder job, queued to a real worker,
retries. After it: pages answer 200, the job completes in the clinic's schema, and every
notification committed before the outage reaches each page exactly once (replayed on
reconnect) along with the ones the job sent."""

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from accounts.models import User
from accounts.roles import Role
from clinic.models import AppointmentReminder
from clinic.tasks import appointment_reminders
from realtime.protocol import CLOSE_BUSY
from tenants.models import Tenant
from tenants.tasks import enqueue_for_tenant
from testing.client import (
    ReconnectingClient,
    close_code,
    close_code_of_new_socket,
    open_operator_socket,
)
from testing.proxy import CuttableProxy
from testing.servers import Answer, free_port, http_get
from tests.celery_worker import queued_for_real
from tests.clinic.factories import make_appointment, make_clinic
from tests.conftest import PUBLIC_DOMAIN
from tests.console.factories import make_operator, operator_session
from tests.faults.helpers import assert_exactly_once, client, notify_each, person
from tests.faults.procs import CeleryWorker, Daphne

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

PATIENTS = 3
PER_PATIENT = 4  # reminders the job sends each patient
BEFORE = 2  # notifications each patient gets before the outage
OUTAGE_AT_LEAST = 4.0  # seconds
PAGE = "/clinic/"  # a patient's dashboard: the tenant lookup, the session, the user, queries


def _book(clinic: Tenant, patients: list[User]) -> int:
    """Confirmed appointments within the reminder lead (24 h) for each patient."""
    with tenant_context(clinic):
        c = make_clinic(clinic)
        first = timezone.now() + timedelta(hours=1)
        for i in range(PATIENTS * PER_PATIENT):
            make_appointment(
                c,
                starts_at=first + timedelta(minutes=10 * (i // 2)),
                minutes=10,
                patient=patients[i % PATIENTS],
                dentist=(c.dentist, c.dentist2)[i % 2],
                chair=c.chairs[i % 2],
            )
    return PATIENTS * PER_PATIENT


def _reminders_sent(clinic: Tenant) -> int:
    with tenant_context(clinic):
        return AppointmentReminder.objects.count()


async def _get(port: int, *, host: str, path: str = PAGE, cookie: str = "") -> Answer:
    return await asyncio.to_thread(http_get, port, host=host, path=path, cookie=cookie)


class PageLoad:
    """Asks for a signed-in page over and over on a thread, keeping every answer."""

    def __init__(self, port: int, *, host: str, cookie: str) -> None:
        self.port, self.host, self.cookie = port, host, cookie
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.answers.append(http_get(self.port, host=self.host, path=PAGE, cookie=self.cookie))
            time.sleep(0.05)

    def __enter__(self) -> "PageLoad":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


async def _wait(check: Callable[[], Awaitable[bool]], *, what: str, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {what} after {within}s")


def _is_outage_page(answer: Answer) -> bool:
    return (
        answer.status == 503
        and answer.headers.get("retry-after") == "5"
        and "Back in a moment" in answer.text
    )


async def test_a_postgres_outage_under_load_answers_503_retries_and_loses_nothing(
    clinic: Tenant,
) -> None:
    # given a clinic whose three patients have confirmed appointments due for a reminder
    patients = [await person(clinic, Role.PATIENT) for _ in range(PATIENTS)]
    total = await database_sync_to_async(_book)(clinic, [user for user, _, _ in patients])
    sent = database_sync_to_async(_reminders_sent)
    domain = patients[0][1]
    cookie = f"{settings.SESSION_COOKIE_NAME}={patients[0][2]}"

    # and a Daphne and a Celery worker reaching PostgreSQL through a cuttable proxy; the
    # sockets re-check the database every second (30 s in production)
    proxy = CuttableProxy(listen_port=free_port(), target_port=5432)
    database_url = f"postgres://postgres@127.0.0.1:{proxy.port}/{connection.settings_dict['NAME']}"
    server = Daphne(DATABASE_URL=database_url, AVISO_WS_RESYNC_SECONDS="1")
    worker = CeleryWorker(hostname="outage", DATABASE_URL=database_url)
    clients: list[ReconnectingClient] = []
    console_socket: ClientConnection | None = None
    try:
        await asyncio.to_thread(server.start)
        await asyncio.to_thread(worker.start)
        # and each patient has a page open that got the notifications committed so far
        clients = [
            client(who, [server.port], name=f"patient{i}").start() for i, who in enumerate(patients)
        ]
        for c in clients:
            await c.wait_connected()
        for n in range(BEFORE):
            await notify_each(clinic, [user for user, _, _ in patients], f"before {n}")
        for c in clients:
            await c.wait_for_seq(BEFORE, within=15)
        assert (await _get(server.port, host=domain, cookie=cookie)).status == 200
        # and an operator has the console open (its panel is pushed every second)
        operator_key = await database_sync_to_async(lambda: operator_session(make_operator()))()
        console_socket = await open_operator_socket(
            domain=PUBLIC_DOMAIN,
            port=server.port,
            session_key=operator_key,
            cookie_name=settings.SESSION_COOKIE_NAME,
            max_size=2**22,
        )

        with PageLoad(server.port, host=domain, cookie=cookie) as load:
            await asyncio.sleep(0.5)
            # when PostgreSQL goes away (every connection reset, new ones refused)
            await asyncio.to_thread(proxy.cut)
            cut_at = time.monotonic()

            # then a page answers the styled 503 with Retry-After
            page = await _get(server.port, host=domain, cookie=cookie)
            assert _is_outage_page(page), (page.status, page.text[:500])
            # and the operators' site too
            console = await _get(server.port, host="localhost", path="/console/")
            assert _is_outage_page(console), (console.status, console.text[:500])
            # and /readyz answers 503 within the probe's budget, naming postgres
            ready = await _get(server.port, host="10.0.0.1", path="/readyz")
            assert ready.status == 503 and ready.seconds < 5
            assert json.loads(ready.text)["down"] == ["postgres"]
            # and a new socket is closed with 4503 (come back later)
            code = await close_code_of_new_socket(
                port=server.port,
                domain=domain,
                session_key=patients[1][2],
                cookie_name=settings.SESSION_COOKIE_NAME,
            )
            assert code == CLOSE_BUSY

            # and the open pages' sockets, whose database checks now fail, close with 4503
            async def told_to_retry() -> bool:
                return all(CLOSE_BUSY in c.record.closes for c in clients)

            await _wait(told_to_retry, what="4503 on the open sockets", within=15)
            # and the operator asking for a fresh panel is told to come back later (4503)
            await console_socket.send(json.dumps({"v": 1, "type": "refresh"}))
            with pytest.raises(ConnectionClosed) as ended:
                while True:
                    await asyncio.wait_for(console_socket.recv(), 10)
            assert close_code(ended.value) == CLOSE_BUSY

            # and the reminder job queued now is retried, not failed
            with queued_for_real():
                enqueue_for_tenant(appointment_reminders, schema_name=clinic.schema_name)

            async def retried() -> bool:
                return b"Retry in" in worker.log_path.read_bytes()

            await _wait(retried, what="retry of the reminder job", within=20)
            assert await sent(clinic) == 0
            await asyncio.sleep(max(0.0, OUTAGE_AT_LEAST - (time.monotonic() - cut_at)))

            # when PostgreSQL is back
            await asyncio.to_thread(proxy.restore)

            # then pages answer 200 again by themselves
            async def pages_back() -> bool:
                return (await _get(server.port, host=domain, cookie=cookie)).status == 200

            await _wait(pages_back, what="200 after recovery", within=15)
            await asyncio.sleep(0.5)

        # and under load, every answer was a page or the outage page: never a 500
        statuses = [a.status for a in load.answers]
        assert 503 in statuses and statuses[-1] == 200, statuses
        assert all(a.status == 200 or _is_outage_page(a) for a in load.answers), statuses

        # and the job completed in the clinic's schema once the database was back
        async def job_done() -> bool:
            return await sent(clinic) == total

        await _wait(job_done, what=f"all {total} reminders", within=90)

        # and each open page, reconnected, got everything exactly once: what was committed
        # before the outage, then the reminders
        for c in clients:
            await c.wait_for_seq(BEFORE + PER_PATIENT, within=20)
        await asyncio.sleep(0.5)
        for c in clients:
            assert_exactly_once(c, BEFORE + PER_PATIENT)
        # and a page opened now replays all of it from the database
        late = client(patients[2], [server.port], name="late").start()
        clients.append(late)
        await late.wait_for_seq(BEFORE + PER_PATIENT, within=15)
        assert_exactly_once(late, BEFORE + PER_PATIENT)

        # and the server's log has no traceback and no 500
        log = server.log_path.read_text(errors="replace")
        assert "database unavailable" in log
        assert "Traceback" not in log, log[-4000:]
        assert '" 500 ' not in log
        # and the worker never gave the job up
        assert "raised unexpected" not in worker.log_path.read_text(errors="replace")
    finally:
        if console_socket is not None:
            await console_socket.close()
        for c in clients:
            await c.stop()
        for proc in (worker, server):
            await asyncio.to_thread(proc.stop)
        proxy.close()
