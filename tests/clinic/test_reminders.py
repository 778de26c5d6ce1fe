"""Reminders 24 h ahead: exactly once per appointment, in the tenant's own schema, with an
e-mail copy; reruns, overlapping workers and other tenants never duplicate or leak one."""

import threading
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.urls import get_urlconf, set_urlconf
from django_tenants.utils import tenant_context

from clinic.models import AppointmentReminder, AppointmentState
from clinic.services.reminders import reminders_send_due
from clinic.tasks import appointment_reminders
from realtime.models import Notification
from realtime.services import notification_payload
from tenants.models import Tenant
from tenants.tasks import enqueue_for_tenant
from tests.clinic.factories import hours_from_now, make_appointment, make_clinic


def reminders_of(user_id: int) -> list[Notification]:
    return list(Notification.objects.filter(recipient_id=user_id, type="appointment.reminder"))


@pytest.mark.django_db
def test_the_task_reminds_due_confirmed_appointments_once(
    clinic: Tenant, clinic_b: Tenant, django_capture_on_commit_callbacks
) -> None:
    with tenant_context(clinic):
        c = make_clinic(clinic)
        due = make_appointment(c, starts_at=hours_from_now(23.9))
        make_appointment(c, starts_at=hours_from_now(25))  # not yet
        make_appointment(
            c, starts_at=hours_from_now(3), state=AppointmentState.REQUESTED, dentist=c.dentist2
        )
        make_appointment(c, starts_at=hours_from_now(5), state=AppointmentState.CANCELLED)
        make_appointment(c, starts_at=hours_from_now(-1), dentist=c.dentist2)  # started
    with tenant_context(clinic_b):
        other = make_clinic(clinic_b)
        make_appointment(other, starts_at=hours_from_now(23))
    mail.outbox.clear()
    # when beat's job runs in clinic_a's schema, twice
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_for_tenant(appointment_reminders, schema_name=clinic.schema_name)
    # then the one due appointment got exactly one reminder and one e-mail
    with tenant_context(clinic):
        notes = reminders_of(c.patient.pk)
        assert len(notes) == 1 and notes[0].data["appointment_id"] == due.pk
        shown = notification_payload(notes[0], language="en")["data"]
        assert shown["title"] and "Check-up" in shown["body"]
        assert list(AppointmentReminder.objects.values_list("appointment_id", flat=True)) == [
            due.pk
        ]
        assert Notification.objects.filter(type="appointment.reminder").count() == 1
    assert [m.to for m in mail.outbox] == [[c.patient.email]]
    assert "Reminder" in mail.outbox[0].subject
    # and the other clinic's appointment was not touched by clinic_a's run
    with tenant_context(clinic_b):
        assert AppointmentReminder.objects.count() == 0
        assert reminders_of(other.patient.pk) == []
        # its own run reminds its own patient
        assert reminders_send_due() == 1
        assert len(reminders_of(other.patient.pk)) == 1


@pytest.mark.django_db
def test_a_reminded_appointment_that_is_moved_is_not_reminded_again(clinic: Tenant) -> None:
    with tenant_context(clinic):
        c = make_clinic(clinic)
        make_appointment(c, starts_at=hours_from_now(10))
        assert reminders_send_due() == 1
        assert reminders_send_due() == 0
        assert reminders_send_due(now=hours_from_now(0.25)) == 0


@pytest.mark.usefixtures("live_db")
def test_overlapping_workers_send_each_reminder_once(clinic: Tenant) -> None:
    with tenant_context(clinic):
        c = make_clinic(clinic, chairs=3)
        for hour in (2, 4, 6, 8, 10):
            make_appointment(
                c,
                starts_at=hours_from_now(hour),
                chair=c.chairs[hour % 3],
                dentist=c.dentist if hour < 6 else c.dentist2,
            )
    barrier = threading.Barrier(4)
    counts: list[int] = []

    def worker() -> None:
        try:
            with tenant_context(clinic):
                barrier.wait()
                counts.append(reminders_send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sum(counts) == 5, counts
    with tenant_context(clinic):
        assert len(reminders_of(c.patient.pk)) == 5
        assert AppointmentReminder.objects.count() == 5


@pytest.mark.django_db
def test_a_worker_thread_that_last_served_a_school_still_links_the_clinics_pages(
    clinic: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    # given a thread whose last request was a school's (its URLconf knows no clinic URL)
    with tenant_context(clinic):
        c = make_clinic(clinic)
        due = make_appointment(c, starts_at=hours_from_now(23.9))
    set_urlconf("config.urls_school")
    try:
        # when the clinic's reminders run in it
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_for_tenant(appointment_reminders, schema_name=clinic.schema_name)
        # then the reminder links the appointment's page, and the thread's URLconf is as it was
        assert get_urlconf() == "config.urls_school"
    finally:
        set_urlconf(None)
    with tenant_context(clinic):
        [note] = reminders_of(c.patient.pk)
        shown = notification_payload(note, language="en")["data"]
        assert shown["url"] == f"/clinic/appointments/{due.pk}/"
