"""Double booking is impossible even when requests race: PostgreSQL's exclusion constraints
decide, not the Python checks. Threads here have their own connections and commit for real."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import tenant_context

from clinic.errors import SlotTaken
from clinic.models import Appointment, AppointmentState, Chair
from clinic.services import appointments
from tenants.models import Tenant
from tests.clinic.factories import make_appointment, make_clinic, slot
from tests.concurrency import in_threads
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("live_db")


def test_many_patients_racing_for_one_slot_get_one_booking(clinic: Tenant) -> None:
    # given eight patients who all ask for Dr. Able at 10:00 at the same moment
    with tenant_context(clinic):
        c = make_clinic(clinic, chairs=3)
        from accounts.roles import Role

        patients = [make_user(clinic, Role.PATIENT) for _ in range(8)]

    def ask(patient):
        return lambda: appointments.appointment_request(
            patient=patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot()
        )

    results = in_threads(clinic, [ask(p) for p in patients])
    # then exactly one booking exists and everyone else got a clear "taken" error
    won = [r for r in results if isinstance(r, Appointment)]
    lost = [r for r in results if isinstance(r, SlotTaken)]
    assert len(won) == 1 and len(lost) == 7, results
    assert all("already booked" in r.messages[0] for r in lost)
    with tenant_context(clinic):
        assert Appointment.objects.filter(dentist=c.dentist).count() == 1


@pytest.mark.parametrize("hour", range(8, 18))
def test_two_dentists_racing_for_the_last_chair_get_one(clinic: Tenant, hour: int) -> None:
    # given one chair, and two dentists' patients asking for the same hour at the same moment
    # (ten rounds: both inserts can check the chair's constraint against each other's row at
    # once, which PostgreSQL answers with "deadlock detected" for one of them)
    with tenant_context(clinic):
        c = make_clinic(clinic, chairs=1)

    def ask(patient, dentist):
        return lambda: appointments.appointment_request(
            patient=patient,
            dentist=dentist,
            appointment_type=c.filling,
            starts_at=slot(hour=hour),
        )

    results = in_threads(clinic, [ask(c.patient, c.dentist), ask(c.patient2, c.dentist2)])
    # then one gets the chair and the other a clear "taken", never a database error
    won = [r for r in results if isinstance(r, Appointment)]
    lost = [r for r in results if isinstance(r, SlotTaken)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "Every chair is in use" in lost[0].messages[0]


def test_the_database_refuses_what_the_python_check_could_not_see(clinic: Tenant) -> None:
    """An uncommitted booking is invisible to the second request's look-ahead; the
    constraint still makes it wait and then refuses it."""
    with tenant_context(clinic):
        c = make_clinic(clinic, chairs=2)
    inserted, second_started = threading.Event(), threading.Event()

    def hold_uncommitted() -> str:
        with transaction.atomic():
            make_appointment(c, starts_at=slot(), state=AppointmentState.REQUESTED)
            inserted.set()
            second_started.wait(10)
            time.sleep(0.5)  # the second request is now past its checks, waiting on the row
        return "committed"

    def request_same_slot() -> object:
        inserted.wait(10)
        second_started.set()
        return appointments.appointment_request(
            patient=c.patient2,
            dentist=c.dentist,
            appointment_type=c.checkup,
            starts_at=slot(minute=15),
        )

    first, second = in_threads(clinic, [hold_uncommitted, request_same_slot])
    assert first == "committed"
    assert isinstance(second, SlotTaken), second
    with tenant_context(clinic):
        assert Appointment.objects.count() == 1


def test_a_raw_overlapping_insert_violates_the_constraint(clinic: Tenant) -> None:
    with tenant_context(clinic):
        c = make_clinic(clinic, chairs=2)
        make_appointment(c, starts_at=slot(), chair=c.chairs[0])
        # same dentist, other chair, overlapping by five minutes
        with (
            pytest.raises(IntegrityError, match="appointment_dentist_no_overlap"),
            transaction.atomic(),
        ):
            make_appointment(c, starts_at=slot() + timedelta(minutes=25), chair=c.chairs[1])
        # same chair, other dentist
        with (
            pytest.raises(IntegrityError, match="appointment_chair_no_overlap"),
            transaction.atomic(),
        ):
            make_appointment(c, starts_at=slot(), dentist=c.dentist2, chair=c.chairs[0])
        # back to back is fine ([start, end) ranges), and so is a slot that was given up
        make_appointment(c, starts_at=slot() + timedelta(minutes=30), chair=c.chairs[0])
        make_appointment(c, starts_at=slot(), chair=c.chairs[1], state=AppointmentState.CANCELLED)
        assert Chair.objects.count() == 2


def test_the_extension_lives_in_public_and_its_migration_is_idempotent(clinic: Tenant) -> None:
    with tenant_context(clinic), connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'btree_gist'"
        )
        assert cursor.fetchall() == [("public",)]
        cursor.execute(
            "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE c.contype = 'x' AND n.nspname = %s",
            [clinic.schema_name],
        )
        assert cursor.fetchone() == (2,)
