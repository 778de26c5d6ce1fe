"""The import as deployed: queued by the page, run by a real Celery worker in the tenant's
schema, its progress pushed over a real socket to the person who started it and to nobody
else, in this school or the other one."""

import asyncio
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from people.imports import IMPORT_TOPIC
from people.imports.services import import_start
from people.models import ImportJob, ImportStatus
from school.models import ClassGroup, StudentRecord
from tenants.models import Tenant
from tests.celery_worker import queued_for_real, real_worker
from tests.factories import make_user
from tests.people.helpers import big_school_csv
from tests.realtime.helpers import communicator, receive, send, start

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

ROWS = 250  # three chunks of progress


@dataclass
class Cast:
    owner: User
    colleague: User  # another administrator of the same school
    student: User
    admin_b: User  # the other school's administrator
    job_id: int


def _queue(school: Tenant, school_b: Tenant) -> Cast:
    owner = make_user(school, Role.ADMINISTRATOR, name="Owner")
    colleague = make_user(school, Role.ADMINISTRATOR)
    student = make_user(school, Role.STUDENT)
    admin_b = make_user(school_b, Role.ADMINISTRATOR)
    with tenant_context(school):
        ClassGroup.objects.create(name="1° A")
        # queued to the broker; no worker yet, so the test subscribes before it runs
        with queued_for_real():
            job = import_start(by=owner, data=big_school_csv(ROWS), file_name="big.csv")
    return Cast(owner, colleague, student, admin_b, job.pk)


def _results(school: Tenant, school_b: Tenant, job_id: int) -> dict[str, Any]:
    with tenant_context(school):
        job = ImportJob.objects.get(pk=job_id)
        result = {
            "status": job.status,
            "created": job.created_count,
            "invited": job.invited_count,
            "records": StudentRecord.objects.count(),
            "people": User.objects.filter(email__endswith="@big.test").count(),
        }
    with tenant_context(school_b):
        result["b_jobs"] = ImportJob.objects.count()
        result["b_people"] = User.objects.filter(email__endswith="@big.test").count()
        result["b_records"] = StudentRecord.objects.count()
    return result


async def test_the_owner_watches_the_import_and_nobody_else_hears_it(
    school: Tenant, school_b: Tenant
) -> None:
    cast = await database_sync_to_async(_queue)(school, school_b)
    sockets = {
        "owner": await communicator(school, cast.owner),
        "colleague": await communicator(school, cast.colleague),
        "student": await communicator(school, cast.student),
        "admin_b": await communicator(school_b, cast.admin_b),
    }
    try:
        for comm in sockets.values():
            await start(comm)
        params = {"job_id": cast.job_id}
        # the owner may watch the job; nobody else, not even with its id on another school
        await send(sockets["owner"], type="subscribe", topic=IMPORT_TOPIC, params=params)
        assert (await receive(sockets["owner"]))["type"] == "subscribed"
        for name in ("colleague", "student", "admin_b"):
            await send(sockets[name], type="subscribe", topic=IMPORT_TOPIC, params=params)
            refused = await receive(sockets[name])
            assert refused["type"] == "error" and refused["code"] == "forbidden", name
        await send(sockets["owner"], type="subscribe", topic=IMPORT_TOPIC, params={"job_id": "1"})
        assert (await receive(sockets["owner"]))["code"] == "forbidden"

        # when a worker runs the import
        events: list[dict[str, Any]] = []
        with ExitStack() as worker:
            # started off the event loop: the worker's start-up closes database connections
            await asyncio.to_thread(worker.enter_context, real_worker())
            while not events or events[-1]["type"] != "import.invited":
                frame = await receive(sockets["owner"], wait=30)
                assert frame["type"] == "event" and frame["object_id"] == cast.job_id
                events.append(frame["event"])
            await asyncio.to_thread(worker.close)

        # then the owner heard the bar move to the end, the end, then the invitations
        progress = [(e["done"], e["total"]) for e in events if e["type"] == "import.progress"]
        assert progress == [(0, ROWS), (100, ROWS), (200, ROWS), (ROWS, ROWS)]
        assert events[-2] == {"type": "import.finished", "status": "done", "created": ROWS}
        assert events[-1] == {"type": "import.invited", "invited": ROWS}
        # and nobody else heard anything
        for name in ("colleague", "student", "admin_b"):
            assert await sockets[name].receive_nothing(timeout=0.3), name
    finally:
        for comm in sockets.values():
            await comm.disconnect()

    result = await database_sync_to_async(_results)(school, school_b, cast.job_id)
    students = ROWS - ROWS // 3
    assert result["status"] == ImportStatus.DONE
    assert result["created"] == ROWS and result["invited"] == ROWS
    assert result["records"] == students and result["people"] == ROWS
    # one invitation each, all to this import's people
    assert len(mail.outbox) == ROWS
    assert all(m.to[0].endswith("@big.test") for m in mail.outbox)
    # no person, import or invitation reached the other school
    assert result["b_jobs"] == 0 and result["b_records"] == 0 and result["b_people"] == 0
