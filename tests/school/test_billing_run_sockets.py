"""Billing runs and the overview's totals over real sockets (full ASGI stack, Redis channel
layer, committed data): the administrator watching a run sees it move and end, and the
administrators' totals and each family's "to pay" move as invoices are issued — in this
school only."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils.html import escape
from django_tenants.utils import tenant_context

from school.clock import tenant_currency, tenant_today
from school.models import BillingRun
from school.money import money_text
from school.payloads import BILLING_RUN_TOPIC, TOTALS_TOPIC
from school.services.billing_runs import billing_run_execute
from tenants.models import Tenant
from tests.factories import client_for
from tests.realtime.helpers import communicator, receive, send, start
from tests.school.async_steps import in_tenant, post
from tests.school.billing_data import Billing, billing_school
from tests.school.factories import make_billing_run

pytestmark = pytest.mark.usefixtures("live_db")

setup = database_sync_to_async(billing_school)


def _queued_run(school: Tenant, b: Billing) -> BillingRun:
    """A run of level 3° as billing_run_start leaves it: queued, its worker not started."""
    with tenant_context(school):
        return make_billing_run(
            b.fee,
            by=b.admin,
            due_on=b.due_on,
            level="3°",
            student_count=4,
        )


def _page(tenant: Tenant, user: Any, url: str) -> str:
    text: str = client_for(tenant, user).get(url).text
    return text


page = database_sync_to_async(_page)


def _money(tenant: Tenant, amount: str) -> str:
    with tenant_context(tenant):
        return escape(money_text(Decimal(amount), tenant_currency()))


money = database_sync_to_async(_money)


async def subscribe(comm: WebsocketCommunicator, topic: str, **params: Any) -> dict[str, Any]:
    await send(comm, type="subscribe", topic=topic, params=params)
    return await receive(comm)


async def events_until(comm: WebsocketCommunicator, last: str) -> list[dict[str, Any]]:
    """The topic events a socket receives, up to one of type `last`."""
    events: list[dict[str, Any]] = []
    while not events or events[-1]["type"] != last:
        frame = await receive(comm, wait=10)
        if frame["type"] == "event":
            events.append({**frame["event"], "topic": frame["topic"]})
    return events


async def test_the_admin_watches_the_run_and_the_totals_move_for_everyone_concerned(
    school: Tenant, school_b: Tenant
) -> None:
    b = await setup(school, school_b)
    run = await database_sync_to_async(_queued_run)(school, b)
    sockets = {
        "admin": await communicator(school, b.admin),
        "guardian": await communicator(school, b.guardian),
        "admin_b": await communicator(school_b, b.admin_b),
        "guardian_b": await communicator(school_b, b.guardian_b),
    }
    for comm in sockets.values():
        await start(comm)
    try:
        # given the administrator on the run's page and on the overview
        answer = await subscribe(sockets["admin"], BILLING_RUN_TOPIC, run_id=run.pk)
        assert answer["type"] == "subscribed" and answer["object_id"] == run.pk
        answer = await subscribe(sockets["admin"], TOTALS_TOPIC)
        assert answer["type"] == "subscribed" and answer["object_id"] == 0
        # a guardian may watch neither; the other school's administrator has no such run
        for topic in (BILLING_RUN_TOPIC, TOTALS_TOPIC):
            refused = await subscribe(sockets["guardian"], topic, run_id=run.pk)
            assert refused["type"] == "error" and refused["code"] == "forbidden"
        refused = await subscribe(sockets["admin_b"], BILLING_RUN_TOPIC, run_id=run.pk)
        assert refused["type"] == "error" and "No such billing run" in refused["message"]
        answer = await subscribe(sockets["admin_b"], TOTALS_TOPIC)
        assert answer["type"] == "subscribed"
        # and the guardian's overview saying Ana and Dani owe nothing
        before = await page(school, b.guardian, "/school/overview/totals/")
        nothing, owed = await money(school, "0"), await money(school, "1500")
        assert before.count(f"{nothing}</strong> to pay") == 2
        # when the worker runs it
        await in_tenant(school, lambda: billing_run_execute(run_id=run.pk))
        # then the administrator saw it start, move and end, and heard the totals change
        events = await events_until(sockets["admin"], "billing_run.finished")
        progress = [e for e in events if e["type"] == "billing_run.progress"]
        assert progress[0] == {
            "type": "billing_run.progress",
            "topic": BILLING_RUN_TOPIC,
            "done": 0,
            "total": 4,
            "issued": 0,
        }
        assert (progress[-1]["done"], progress[-1]["total"], progress[-1]["issued"]) == (4, 4, 3)
        assert events[-1]["status"] == "done"
        assert (events[-1]["issued"], events[-1]["skipped"]) == (3, 1)
        assert {"type": "totals.changed", "topic": TOTALS_TOPIC} in events
        # the guardian heard "New invoice" for each of her two children...
        children = set()
        for _ in range(2):
            frame = await receive(sockets["guardian"])
            assert frame["notification"]["type"] == "invoice.issued"
            children.add(frame["notification"]["data"]["child"]["name"])
        assert children == {"Ana", "Dani"}
        # ...on which her overview re-reads its totals: each child now has 1500 to pay
        after = await page(school, b.guardian, "/school/overview/totals/")
        assert after.count(f"{owed}</strong> to pay") == 2
        # and the other school heard nothing at all
        for name in ("admin_b", "guardian_b"):
            assert await sockets[name].receive_nothing(timeout=0.5), f"{name} heard something"
    finally:
        for comm in sockets.values():
            await comm.disconnect()


async def test_one_invoice_issued_by_hand_moves_the_admins_totals_live(
    school: Tenant, school_b: Tenant
) -> None:
    b = await setup(school, school_b)
    admin = await communicator(school, b.admin)
    ana = await communicator(school, b.ana)
    admin_b = await communicator(school_b, b.admin_b)
    for comm in (admin, ana, admin_b):
        await start(comm)
    try:
        assert (await subscribe(admin, TOTALS_TOPIC))["type"] == "subscribed"
        assert (await subscribe(admin_b, TOTALS_TOPIC))["type"] == "subscribed"
        due = (await in_tenant(school, tenant_today)) + timedelta(days=5)
        # when the administrator issues Ana one invoice
        status = await post(
            school,
            b.admin,
            "/school/invoices/new/",
            {"student": str(b.ana.pk), "fee": str(b.fee.pk), "due_on": due.isoformat()},
        )
        assert status == 302
        # then her overview hears it and the totals the page re-reads say so
        events = await events_until(admin, "totals.changed")
        assert events == [{"type": "totals.changed", "topic": TOTALS_TOPIC}]
        totals = await page(school, b.admin, "/school/overview/totals/")
        assert f"{await money(school, '1500')}</strong> outstanding" in totals
        frame = await receive(ana)
        assert frame["notification"]["type"] == "invoice.issued"
        assert f"{await money(school, '1500')}</strong> to pay" in await page(
            school, b.ana, "/school/overview/totals/"
        )
        # the other school's administrator heard nothing
        assert await admin_b.receive_nothing(timeout=0.5)
    finally:
        for comm in (admin, ana, admin_b):
            await comm.disconnect()
