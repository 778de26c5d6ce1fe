"""A Celery worker dies with SIGKILL in the middle of the clinic's reminder job: the job is
delivered again (acks_late + reject_on_worker_lost) and, because each reminder commits with
its idempotency record, every patient gets each reminder exactly once, live and in order."""

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from clinic.models import AppointmentReminder
from clinic.tasks import appointment_reminders
from realtime.models import Notification
from tenants.models import Tenant
from tenants.tasks import enqueue_for_tenant
from testing.client import ReconnectingClient
from tests.celery_worker import queued_for_real
from tests.clinic.factories import make_appointment, make_clinic
from tests.factories import domain_of, make_user, session_for
from tests.faults.helpers import assert_exactly_once, client
from tests.faults.procs import CeleryWorker, Daphne

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

PATIENTS = 6
PER_PATIENT = 30  # 180 reminders: a job of several seconds, long enough to kill mid-way


def _due_appointments(clinic: Tenant) -> dict[int, list[int]]:
    """Confirmed appointments within the next 24 h (the reminder lead), 10 minutes each, on
    two dentist/chair pairs so no overlap constraint trips; patient id -> appointment ids."""
    with tenant_context(clinic):
        c = make_clinic(clinic)
        patients = [make_user(clinic, Role.PATIENT) for _ in range(PATIENTS)]
        first = timezone.now() + timedelta(hours=1)
        booked: dict[int, list[int]] = {p.pk: [] for p in patients}
        for i in range(PATIENTS * PER_PATIENT):
            patient = patients[i % PATIENTS]
            pair = i % 2
            appointment = make_appointment(
                c,
                starts_at=first + timedelta(minutes=10 * (i // 2)),
                minutes=10,
                patient=patient,
                dentist=(c.dentist, c.dentist2)[pair],
                chair=c.chairs[pair],
            )
            booked[patient.pk].append(appointment.pk)
        return booked


def _signed_in(clinic: Tenant, patient_ids: list[int]) -> list[tuple[User, str, str]]:
    domain = domain_of(clinic)
    with tenant_context(clinic):
        patients = [User.objects.get(pk=pk) for pk in patient_ids]
    return [(p, domain, session_for(clinic, p)) for p in patients]


def _reminders_sent(clinic: Tenant) -> int:
    with tenant_context(clinic):
        return AppointmentReminder.objects.count()


def _reminder_notifications(clinic: Tenant) -> list[tuple[int, int, int]]:
    """(patient id, seq, appointment id) of every reminder notification."""
    with tenant_context(clinic):
        return [
            (n.recipient_id, n.seq, n.data["appointment_id"])
            for n in Notification.objects.filter(type="appointment.reminder").order_by("seq")
        ]


async def _wait(check: Callable[[], Awaitable[bool]], *, what: str, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {what} after {within}s")


@pytest.mark.parametrize("victim", ["whole worker", "pool process"])
async def test_reminders_survive_a_sigkilled_worker_exactly_once(
    clinic: Tenant, clinic_b: Tenant, victim: str
) -> None:
    # given a clinic with 180 confirmed appointments due for a reminder, and a second clinic
    # with as many of its own (the job is queued for the first clinic only)
    booked = await database_sync_to_async(_due_appointments)(clinic)
    await database_sync_to_async(_due_appointments)(clinic_b)
    total = sum(len(ids) for ids in booked.values())
    patient_ids = list(booked)
    patients = await database_sync_to_async(_signed_in)(clinic, patient_ids)
    sent = database_sync_to_async(_reminders_sent)

    # and each patient has the clinic's page open on a Daphne process
    server = Daphne()
    first = CeleryWorker(hostname="first")
    second = CeleryWorker(hostname="second")
    clients: list[ReconnectingClient] = []
    try:
        await asyncio.to_thread(server.start)
        await asyncio.to_thread(first.start)
        clients = [
            client(who, [server.port], name=f"patient{who[0].pk}").start() for who in patients
        ]
        for c in clients:
            await c.wait_connected()

        # when beat's reminder job is queued and a worker starts on it
        with queued_for_real():
            enqueue_for_tenant(appointment_reminders, schema_name=clinic.schema_name)

        async def started() -> bool:
            return await sent(clinic) >= 20

        await _wait(started, what="reminders being sent", within=30)
        # and is killed -9 part-way (the whole node, or only the pool process running the task)
        if victim == "whole worker":
            await asyncio.to_thread(first.kill)
            at_kill = await sent(clinic)
            await asyncio.to_thread(second.start)
        else:
            for pid in first.pool_children():
                os.kill(pid, signal.SIGKILL)
            at_kill = await sent(clinic)
        assert at_kill < total, "the job finished before the kill; make it longer"

        # then the job is delivered again and completes
        async def finished() -> bool:
            return await sent(clinic) == total

        await _wait(finished, what=f"all {total} reminders", within=40)
        for c in clients:
            await c.wait_for_seq(PER_PATIENT, within=15)
        await asyncio.sleep(0.5)  # anything extra would arrive now

        # and every appointment was reminded exactly once: one notification per appointment,
        # each patient's seqs 1..30 with no gap or repeat
        notes = await database_sync_to_async(_reminder_notifications)(clinic)
        assert len(notes) == total
        assert Counter(appointment for _, _, appointment in notes) == Counter(
            a for ids in booked.values() for a in ids
        )
        for pk, ids in booked.items():
            mine = [(seq, appointment) for who, seq, appointment in notes if who == pk]
            assert sorted(seq for seq, _ in mine) == list(range(1, len(ids) + 1))
            assert sorted(a for _, a in mine) == sorted(ids)
        # and each open page received exactly those, once each, in order
        for c in clients:
            assert_exactly_once(c, PER_PATIENT)
        # and the other clinic's appointments were not touched by this clinic's job
        assert await database_sync_to_async(_reminders_sent)(clinic_b) == 0
    finally:
        for c in clients:
            await c.stop()
        for proc in (first, second, server):
            await asyncio.to_thread(proc.stop)
