"""The rules a clinic's setup writes and the slot math that reads them: several ranges a day
(breaks), overlapping ranges refused, days off, clinic holidays, the kinds' dentists and
colours, the patients' booking horizon, and the clinic's local time across a daylight-saving
change. The second clinic is always there and nothing reaches it."""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from clinic.clock import at, local, local_today
from clinic.models import AppointmentType, ClinicSettings, DayOff, WorkingHours
from clinic.selectors import dentists_offering, free_slots
from clinic.services import appointments
from clinic.services import setup as services
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment, slot

pytestmark = pytest.mark.django_db


def slots(c: Clinic, day: date, **kw: object) -> list[datetime]:
    args: dict = {"dentist": c.dentist, "appointment_type": c.checkup, "day": day, **kw}
    return free_slots(**args)


def hours_only(c: Clinic, weekday: int, *ranges: tuple[time, time]) -> None:
    """The dentist works just `ranges` on `weekday`."""
    WorkingHours.objects.filter(dentist=c.dentist, weekday=weekday).delete()
    for starts, ends in ranges:
        services.working_hours_add(dentist=c.dentist, weekday=weekday, starts=starts, ends=ends)


# --- working hours -------------------------------------------------------------------------


def test_two_ranges_a_day_make_a_break_without_slots(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        day = slot().date()
        hours_only(c, day.weekday(), (time(8), time(12)), (time(13), time(17)))
        found = slots(c, day)
        assert slot(hour=11, minute=30) in found  # ends 12:00, at the break
        assert slot(hour=12) not in found and slot(hour=12, minute=30) not in found
        assert slot(hour=11, minute=45) not in found  # would run into the break
        assert slot(hour=13) in found and found[-1] == slot(hour=16, minute=30)
        with pytest.raises(ValidationError, match="does not work"):
            appointments.appointment_request(
                patient=c.patient, dentist=c.dentist, appointment_type=c.checkup,
                starts_at=slot(hour=12, minute=15),
            )  # fmt: skip


@pytest.mark.parametrize(
    ("starts", "ends"),
    [(time(9), time(10)), (time(7), time(8, 1)), (time(17, 59), time(19)), (time(6), time(20))],
)
def test_overlapping_ranges_are_refused(
    c: Clinic, clinic: Tenant, starts: time, ends: time
) -> None:
    with tenant_context(clinic):
        hours_only(c, 0, (time(8), time(18)))
        with pytest.raises(ValidationError) as refused:
            services.working_hours_add(dentist=c.dentist, weekday=0, starts=starts, ends=ends)
        assert "overlaps" in str(refused.value.message_dict["starts"])
        assert WorkingHours.objects.filter(dentist=c.dentist, weekday=0).count() == 1


def test_touching_ranges_other_days_and_other_dentists_are_not_overlaps(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        hours_only(c, 0, (time(8), time(12)))
        services.working_hours_add(dentist=c.dentist, weekday=0, starts=time(12), ends=time(14))
        assert WorkingHours.objects.filter(dentist=c.dentist, weekday=0).count() == 2
        # dentist2 already works 08-18 on Mondays; a range for dentist on Tuesday is separate
        assert WorkingHours.objects.filter(dentist=c.dentist2, weekday=0).count() == 1


def test_a_range_must_end_after_it_starts_and_belong_to_a_dentist(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        with pytest.raises(ValidationError, match="after the start"):
            services.working_hours_add(dentist=c.dentist, weekday=1, starts=time(9), ends=time(9))
        with pytest.raises(ValidationError, match="dentists"):
            services.working_hours_add(
                dentist=c.receptionist, weekday=1, starts=time(9), ends=time(10)
            )


# --- days off and holidays -----------------------------------------------------------------


def test_a_day_off_closes_that_dentists_day_only(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        day = slot().date()
        services.day_off_add(dentist=c.dentist, day=day, reason="Course")
        assert slots(c, day) == []
        assert slots(c, day, dentist=c.dentist2) != []
        assert slots(c, day + timedelta(days=1)) != []
        with pytest.raises(ValidationError, match="does not work"):
            appointments.appointment_request(
                patient=c.patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot()
            )
        with pytest.raises(ValidationError, match="already has this day off"):
            services.day_off_add(dentist=c.dentist, day=day)
        services.day_off_remove(day_off=DayOff.objects.get(dentist=c.dentist, date=day))
        assert slots(c, day) != []


def test_a_holiday_closes_the_clinic_and_not_the_other_one(
    c: Clinic, other: Clinic, clinic: Tenant, clinic_b: Tenant
) -> None:
    day = slot().date()
    with tenant_context(clinic):
        services.holiday_add(day=day, name="Founders' day")
        assert slots(c, day) == [] and slots(c, day, dentist=c.dentist2) == []
        with pytest.raises(ValidationError, match="already a holiday"):
            services.holiday_add(day=day, name="Again")
        with pytest.raises(ValidationError, match="Name the holiday"):
            services.holiday_add(day=day + timedelta(days=1), name="  ")
    with tenant_context(clinic_b):
        assert slots(other, day) != []


# --- kinds of appointment ------------------------------------------------------------------


def test_a_kind_with_dentists_is_offered_by_them_only(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        whitening = services.appointment_type_add(
            name="Whitening", duration_minutes=45, colour="#AA00ff", dentists=[c.dentist2]
        )
        assert whitening.colour == "#aa00ff"
        assert list(dentists_offering(appointment_type=whitening)) == [c.dentist2]
        assert set(dentists_offering(appointment_type=c.checkup)) == {c.dentist, c.dentist2}
        day = slot().date()
        assert slots(c, day, appointment_type=whitening) == []
        assert slots(c, day, dentist=c.dentist2, appointment_type=whitening) != []
        with pytest.raises(ValidationError, match="does not offer"):
            appointments.appointment_request(
                patient=c.patient, dentist=c.dentist, appointment_type=whitening, starts_at=slot()
            )
        # choosing no dentists again: every dentist offers it
        services.appointment_type_update(
            kind=whitening, colour="#aa00ff", dentists=[], is_active=True
        )
        assert slots(c, day, appointment_type=whitening) != []


@pytest.mark.parametrize(
    "colour", ["red", "#12345", "#1234567", "#gggggg", "", "javascript:alert(1)", "#12 456"]
)
def test_bad_colours_are_refused(c: Clinic, clinic: Tenant, colour: str) -> None:
    with tenant_context(clinic):
        with pytest.raises(ValidationError) as refused:
            services.appointment_type_add(name="Bleach", duration_minutes=30, colour=colour)
        assert "colour" in refused.value.message_dict
        assert not AppointmentType.objects.filter(name="Bleach").exists()
        with pytest.raises(ValidationError):
            services.appointment_type_update(
                kind=c.checkup, colour=colour, dentists=[], is_active=True
            )


def test_the_database_refuses_a_bad_colour_too(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic), pytest.raises(IntegrityError), transaction.atomic():
        AppointmentType.objects.filter(pk=c.checkup.pk).update(colour="blue")


def test_kind_names_and_durations_are_checked(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        with pytest.raises(ValidationError, match="already a kind"):
            services.appointment_type_add(name="Check-up", duration_minutes=30, colour="#000000")
        for minutes in (0, 4, 481):
            with pytest.raises(ValidationError, match="between 5 and 480"):
                services.appointment_type_add(name="X", duration_minutes=minutes, colour="#000000")


# --- the booking horizon and the settings --------------------------------------------------


def test_patients_book_only_within_the_horizon_staff_move_further(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        services.clinic_settings_save(
            cancellation_cutoff_hours=24, reminder_lead_hours=24, booking_horizon_days=7,
            slot_step_minutes=15, allow_patient_sign_up=False,
        )  # fmt: skip
        last = local_today() + timedelta(days=7)
        assert slots(c, last, last_day=last) != []
        assert slots(c, last + timedelta(days=1), last_day=last) == []
        with pytest.raises(ValidationError, match="up to 7 days ahead"):
            appointments.appointment_request(
                patient=c.patient, dentist=c.dentist, appointment_type=c.checkup,
                starts_at=slot(days=8),
            )  # fmt: skip
        booked = appointments.appointment_request(
            patient=c.patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot(days=7)
        )
        # the clinic proposes a time beyond the horizon; the patient accepts it
        appointments.appointment_propose(
            appointment=booked, by=c.receptionist, starts_at=slot(days=30)
        )
        moved = appointments.appointment_accept_proposal(appointment=booked, by=c.patient)
        assert local(moved.starts_at).date() == local_today() + timedelta(days=30)


def test_settings_are_saved_within_their_bounds(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        with pytest.raises(ValidationError) as refused:
            services.clinic_settings_save(
                cancellation_cutoff_hours=24, reminder_lead_hours=0, booking_horizon_days=0,
                slot_step_minutes=4, allow_patient_sign_up=True,
            )  # fmt: skip
        assert set(refused.value.message_dict) == {
            "reminder_lead_hours",
            "booking_horizon_days",
            "slot_step_minutes",
        }
        services.clinic_settings_save(
            cancellation_cutoff_hours=2, reminder_lead_hours=48, booking_horizon_days=30,
            slot_step_minutes=20, allow_patient_sign_up=True,
        )  # fmt: skip
        rules = ClinicSettings.objects.get(pk=1)
        assert (rules.booking_horizon_days, rules.allow_patient_sign_up) == (30, True)


# --- the clinic's local time across a daylight-saving change -------------------------------

NEW_YORK = ZoneInfo("America/New_York")


def _clock_changes(zone: ZoneInfo) -> tuple[date, date]:
    """The next day clocks spring forward and the next day they fall back, after tomorrow."""
    spring = fall = None
    day = local_today() + timedelta(days=2)
    while spring is None or fall is None:
        before = datetime.combine(day, time(0), zone).utcoffset()
        after = datetime.combine(day, time(12), zone).utcoffset()
        if before is not None and after is not None and after > before and spring is None:
            spring = day
        if before is not None and after is not None and after < before and fall is None:
            fall = day
        day += timedelta(days=1)
    return spring, fall


@contextmanager
def in_zone(tenant: Tenant, zone: str) -> Iterator[None]:
    """The clinic's time zone is `zone` (the tenant row in memory, as a request has it)."""
    previous = tenant.timezone
    tenant.timezone = zone
    try:
        with tenant_context(tenant):
            yield
    finally:
        tenant.timezone = previous


def _night_shift(c: Clinic, day: date) -> None:
    """The dentist works 00:00-06:00 on `day`'s weekday; hourly slots of an hour-long kind."""
    hours_only(c, day.weekday(), (time(0), time(6)))
    ClinicSettings.objects.filter(pk=1).update(slot_step_minutes=60, booking_horizon_days=730)


def test_slots_on_the_night_clocks_spring_forward(c: Clinic, clinic: Tenant) -> None:
    with in_zone(clinic, "America/New_York"):
        spring, _ = _clock_changes(NEW_YORK)
        _night_shift(c, spring)
        found = slots(c, spring, appointment_type=c.filling)
        # 00:00-06:00 that night is five real hours: 02:00 never happens
        assert [local(s).strftime("%H:%M") for s in found] == [
            "00:00", "01:00", "03:00", "04:00", "05:00",
        ]  # fmt: skip
        assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(found))
        assert found[0] == datetime.combine(spring, time(5), UTC)  # 00:00 EST
        # booking the slot after the jump stores its real moment
        booked = appointments.appointment_request(
            patient=c.patient, dentist=c.dentist, appointment_type=c.filling, starts_at=found[2]
        )
        assert booked.starts_at == datetime.combine(spring, time(7), UTC)  # 03:00 EDT
        assert booked.ends_at - booked.starts_at == timedelta(hours=1)


def test_slots_on_the_night_clocks_fall_back(c: Clinic, clinic: Tenant) -> None:
    with in_zone(clinic, "America/New_York"):
        _, fall = _clock_changes(NEW_YORK)
        _night_shift(c, fall)
        found = slots(c, fall, appointment_type=c.filling)
        # seven real hours: 01:00 happens twice, and both are bookable
        assert [local(s).strftime("%H:%M") for s in found] == [
            "00:00", "01:00", "01:00", "02:00", "03:00", "04:00", "05:00",
        ]  # fmt: skip
        assert len(set(found)) == 7
        assert found[0] == datetime.combine(fall, time(4), UTC)  # 00:00 EDT
        second_one = appointments.appointment_request(
            patient=c.patient, dentist=c.dentist, appointment_type=c.filling, starts_at=found[2]
        )
        first_one = appointments.appointment_request(
            patient=c.patient2, dentist=c.dentist, appointment_type=c.filling, starts_at=found[1]
        )
        assert second_one.starts_at - first_one.starts_at == timedelta(hours=1)
        assert found[1] not in slots(c, fall, appointment_type=c.filling)


def test_a_holiday_is_the_clinics_local_day(c: Clinic, clinic: Tenant) -> None:
    """A holiday on a local day closes the clinic from its local midnight to midnight, whatever
    that is in UTC (Tijuana is UTC-8 in winter: 20:00 local is already the next day in UTC)."""
    with in_zone(clinic, "America/Tijuana"):
        day = local_today() + timedelta(days=3)
        hours_only(c, day.weekday(), (time(18), time(22)))
        evening = at(day, time(20))
        assert evening.astimezone(UTC).date() == day + timedelta(days=1)
        assert evening in slots(c, day)
        services.holiday_add(day=day + timedelta(days=1), name="Next day")
        assert evening in slots(c, day)  # the next UTC day is not the local holiday
        services.holiday_add(day=day, name="This day")
        assert slots(c, day) == []


def test_existing_appointments_stay_on_a_new_day_off(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        booked = make_appointment(c, starts_at=slot(hour=9))
        services.day_off_add(dentist=c.dentist, day=slot().date())
        booked.refresh_from_db()
        assert booked.holds_slot
