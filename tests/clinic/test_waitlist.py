"""The waitlist (#14): who is offered a freed time (dentist, kind, days and times in the
clinic's time zone, last day), what accepting an offer does, and the pages' answers to bad
input. The race between two accepts is tests/clinic/test_waitlist_race.py; the live delivery
tests/clinic/test_waitlist_sockets.py."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from clinic.clock import at, local_today
from clinic.models import (
    Appointment,
    AppointmentState,
    AppointmentType,
    WaitlistEntry,
    WaitlistOffer,
)
from clinic.selectors_waitlist import period_of
from clinic.services import appointments, waitlist
from realtime.models import Notification
from tenants.models import Tenant
from tests.clinic.factories import Clinic, hours_from_now, make_appointment, reading, slot
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db
S = AppointmentState
ALL_DAYS = list(range(7))
ALL_TIMES = ["morning", "afternoon", "evening"]


def wait(
    c: Clinic,
    patient: User,
    *,
    dentist: User | None = None,
    kind: AppointmentType | None = None,
    weekdays: list[int] | None = None,
    periods: list[str] | None = None,
    until: date | None = None,
) -> WaitlistEntry:
    return waitlist.waitlist_join(
        patient=patient,
        dentist=dentist or c.dentist,
        appointment_type=kind or c.checkup,
        weekdays=ALL_DAYS if weekdays is None else weekdays,
        periods=ALL_TIMES if periods is None else periods,
        until=until or local_today() + timedelta(days=20),
    )


def offered_to() -> set[int]:
    return set(
        Notification.objects.filter(type="waitlist.offered").values_list("recipient_id", flat=True)
    )


def free_the_time(
    c: Clinic, starts_at: datetime | None = None, patient: User | None = None
) -> Appointment:
    """A confirmed appointment the clinic cancels: its time frees."""
    a = make_appointment(c, starts_at=starts_at or slot(days=3, hour=10), patient=patient)
    return appointments.appointment_cancel(appointment=a, by=c.receptionist)


# --- who is offered a freed time ---------------------------------------------------------------


def test_a_freed_time_is_offered_to_exactly_the_patients_it_suits(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        day = local_today() + timedelta(days=3)
        p = {n: make_user(clinic, Role.PATIENT, name=f"Waiting {n}") for n in range(8)}
        # given patients waiting in many ways for a time that will free at 10:00 on `day`
        wait(c, p[0])  # any day, any time: suits
        wait(c, p[1], weekdays=[day.weekday()], periods=["morning"])  # that day's mornings
        wait(c, p[2], periods=["afternoon", "evening"])  # not mornings
        wait(c, p[3], weekdays=[(day.weekday() + 1) % 7])  # another weekday
        wait(c, p[4], dentist=c.dentist2)  # another dentist
        wait(c, p[5], until=day - timedelta(days=1))  # stops waiting the day before
        wait(c, p[6], kind=c.filling)  # an hour fits: 10:00-11:00 is free
        expired = wait(c, p[7])  # waited, but its last day has passed
        WaitlistEntry.objects.filter(pk=expired.pk).update(until=local_today() - timedelta(days=1))
        wait(c, c.patient)  # the patient whose appointment is cancelled also waits
        # when the clinic cancels c.patient's 10:00 on that day
        free_the_time(c, starts_at=at(day, time(10)), patient=c.patient)
        # then exactly the patients it suits are offered it, once each
        assert offered_to() == {p[0].pk, p[1].pk, p[6].pk}
        offers = WaitlistOffer.objects.filter(patient=p[6])
        assert [o.ends_at - o.starts_at for o in offers] == [timedelta(hours=1)]
        assert WaitlistOffer.objects.count() == 3


def test_a_kind_that_does_not_fit_the_freed_time_is_not_offered(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        # given a patient waiting for an hour-long filling, and 10:30 already booked
        wait(c, c.patient2, kind=c.filling)
        make_appointment(c, starts_at=slot(days=3, hour=10, minute=30), patient=c.admin)
        # when the 10:00 check-up is cancelled: only half an hour frees
        free_the_time(c, starts_at=slot(days=3, hour=10))
        # then nobody is offered it
        assert offered_to() == set()


def test_days_and_times_are_the_clinics_local_ones(c: Clinic, clinic: Tenant) -> None:
    # given a clinic in Auckland (UTC+12/13): 09:00 there is the evening before in UTC
    clinic.timezone = "Pacific/Auckland"
    with tenant_context(clinic):
        day = next(
            local_today() + timedelta(days=n)
            for n in range(2, 9)
            if (local_today() + timedelta(days=n)).weekday() == 2
        )
        starts_at = at(day, time(9))
        assert starts_at.astimezone(UTC).weekday() == 1  # Tuesday in UTC
        morning_wednesday = make_user(clinic, Role.PATIENT, name="Wednesday mornings")
        evening_tuesday = make_user(clinic, Role.PATIENT, name="Tuesday evenings")
        wait(c, morning_wednesday, weekdays=[2], periods=["morning"])
        wait(c, evening_tuesday, weekdays=[1], periods=["evening"])
        # when the Wednesday 09:00 (Auckland) frees
        free_the_time(c, starts_at=starts_at)
        # then it is offered as a Wednesday morning, not as the UTC Tuesday evening
        assert offered_to() == {morning_wednesday.pk}


def test_the_parts_of_the_day_cover_the_whole_day() -> None:
    assert period_of(time(0)) == "morning"
    assert period_of(time(11, 59)) == "morning"
    assert period_of(time(12)) == "afternoon"
    assert period_of(time(16, 59)) == "afternoon"
    assert period_of(time(17)) == "evening"
    assert period_of(time(23, 59)) == "evening"


@pytest.mark.parametrize("how", ["decline", "withdraw", "reschedule", "proposal accepted"])
def test_every_way_a_time_frees_offers_it(c: Clinic, clinic: Tenant, how: str) -> None:
    with tenant_context(clinic):
        wait(c, c.patient2)
        if how == "reschedule":
            a = make_appointment(c, starts_at=slot(days=3))
            appointments.appointment_reschedule(appointment=a, by=c.admin, starts_at=slot(days=4))
        elif how == "proposal accepted":
            a = make_appointment(
                c, starts_at=slot(days=3), state=S.PROPOSED, proposed_starts_at=slot(days=4)
            )
            appointments.appointment_accept_proposal(appointment=a, by=c.patient)
        else:
            a = make_appointment(c, starts_at=slot(days=3), state=S.REQUESTED)
            if how == "decline":
                appointments.appointment_decline(appointment=a, by=c.dentist)
            else:
                appointments.appointment_withdraw(appointment=a, by=c.patient)
        assert offered_to() == {c.patient2.pk}
        assert WaitlistOffer.objects.get().starts_at == slot(days=3)


def test_a_time_that_has_already_started_is_not_offered(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        wait(c, c.patient2)
        # a cancellation of an appointment that already started
        started = make_appointment(c, starts_at=hours_from_now(-0.1))
        appointments.appointment_cancel(appointment=started, by=c.receptionist)
        assert offered_to() == set()


# --- accepting -----------------------------------------------------------------------------


def _two_offers(c: Clinic) -> tuple[WaitlistOffer, WaitlistOffer]:
    wait(c, c.patient)
    wait(c, c.patient2)
    free_the_time(c, patient=c.admin)
    return (
        WaitlistOffer.objects.get(patient=c.patient),
        WaitlistOffer.objects.get(patient=c.patient2),
    )


def test_the_first_to_accept_gets_a_confirmed_appointment(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        first, second = _two_offers(c)
    # when the first patient accepts on the offer page
    patient = client_for(clinic, c.patient)
    response = patient.post(f"/clinic/waitlist/offers/{first.pk}/accept/")
    # then they land on their confirmed appointment, and leave that waitlist
    assert response.status_code == 302
    with tenant_context(clinic):
        booked = Appointment.objects.get(patient=c.patient, state=S.CONFIRMED)
        assert response["Location"] == f"/clinic/appointments/{booked.pk}/"
        assert booked.starts_at == slot(days=3, hour=10) and booked.type == c.checkup
        assert WaitlistEntry.objects.get(patient=c.patient).state == "booked"
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.state, second.state) == ("accepted", "taken")
        # the other patient is told it is gone (still waiting), the clinic that it is filled
        taken = Notification.objects.get(type="waitlist.offer_taken")
        assert taken.recipient_id == c.patient2.pk
        assert WaitlistEntry.objects.get(patient=c.patient2).state == "waiting"
        filled = Notification.objects.filter(type="waitlist.filled")
        assert {n.recipient_id for n in filled} == {c.dentist.pk, c.receptionist.pk}
    page = patient.get(f"/clinic/appointments/{booked.pk}/")
    assert "The time is yours" in page.content.decode()
    # when the second patient accepts after that
    late = client_for(clinic, c.patient2).post(f"/clinic/waitlist/offers/{second.pk}/accept/")
    # then they read that it was taken, and nothing was booked for them
    assert late.status_code == 409
    assert "has already been taken" in late.content.decode()
    assert "Accept this time" not in late.content.decode()
    with tenant_context(clinic):
        assert not Appointment.objects.filter(patient=c.patient2).exists()


def test_a_time_booked_on_the_booking_page_closes_every_offer_of_it(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        first, _ = _two_offers(c)
        # given someone books the freed time on the booking page before anyone accepts
        appointments.appointment_request(
            patient=make_user(clinic, Role.PATIENT, name="Walk In"),
            dentist=c.dentist,
            appointment_type=c.checkup,
            starts_at=slot(days=3, hour=10),
        )
        # then the offers of that time close at once, and their patients are told
        assert set(WaitlistOffer.objects.values_list("state", flat=True)) == {"taken"}
    # when a waiting patient accepts all the same (a page opened before)
    response = client_for(clinic, c.patient).post(f"/clinic/waitlist/offers/{first.pk}/accept/")
    # then it was taken, for them and for the other patient (who is told)
    assert response.status_code == 409
    assert "has already been taken" in response.content.decode()
    with tenant_context(clinic):
        assert set(WaitlistOffer.objects.values_list("state", flat=True)) == {"taken"}
        told = Notification.objects.filter(type="waitlist.offer_taken")
        assert {n.recipient_id for n in told} == {c.patient.pk, c.patient2.pk}
        assert not Appointment.objects.filter(patient__in=[c.patient, c.patient2]).exists()


def test_an_expired_offer_cannot_be_accepted(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        first, _ = _two_offers(c)
        assert first.expires_at <= timezone.now() + timedelta(hours=2)
        WaitlistOffer.objects.filter(pk=first.pk).update(expires_at=hours_from_now(-0.01))
    page = client_for(clinic, c.patient).get(f"/clinic/waitlist/offers/{first.pk}/")
    assert "Expired" in page.content.decode()
    response = client_for(clinic, c.patient).post(f"/clinic/waitlist/offers/{first.pk}/accept/")
    assert response.status_code == 400
    assert "This offer expired" in response.content.decode()
    with tenant_context(clinic):
        assert not Appointment.objects.filter(patient=c.patient).exists()


def test_one_slot_cannot_store_two_accepted_offers(c: Clinic, clinic: Tenant) -> None:
    # the database's own guard behind the slot's lock
    with tenant_context(clinic):
        first, second = _two_offers(c)
        WaitlistOffer.objects.filter(pk=first.pk).update(state="accepted")
        with pytest.raises(IntegrityError), transaction.atomic():
            WaitlistOffer.objects.filter(pk=second.pk).update(state="accepted")


def test_accepting_twice_or_someone_elses_offer_is_refused(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        first, second = _two_offers(c)
    patient = client_for(clinic, c.patient)
    # another patient's offer is not found, to open or to accept
    assert patient.get(f"/clinic/waitlist/offers/{second.pk}/").status_code == 404
    assert patient.post(f"/clinic/waitlist/offers/{second.pk}/accept/").status_code == 404
    assert patient.get("/clinic/waitlist/offers/999999/").status_code == 404
    # staff do not answer offers
    assert (
        client_for(clinic, c.receptionist).get(f"/clinic/waitlist/offers/{first.pk}/").status_code
        == 403
    )
    # accepting is a POST
    assert patient.get(f"/clinic/waitlist/offers/{first.pk}/accept/").status_code == 405
    assert patient.post(f"/clinic/waitlist/offers/{first.pk}/accept/").status_code == 302
    again = patient.post(f"/clinic/waitlist/offers/{first.pk}/accept/")
    assert again.status_code == 400
    assert "already accepted" in again.content.decode()
    with tenant_context(clinic):
        assert Appointment.objects.filter(patient=c.patient).count() == 1
        with pytest.raises(ValidationError):
            waitlist.waitlist_offer_accept(offer=second, by=c.patient)


# --- joining and leaving -------------------------------------------------------------------


def _join(clinic: Tenant, user: User, c: Clinic, **fields: object) -> Any:
    data = {
        "dentist": c.dentist.pk,
        "type": c.checkup.pk,
        "weekdays": ["0", "2", "4"],
        "periods": ["morning"],
        "until": (local_today() + timedelta(days=14)).isoformat(),
        **fields,
    }
    return client_for(clinic, user).post("/clinic/waitlist/", data)


def test_a_patient_joins_sees_and_leaves_the_waitlist(c: Clinic, clinic: Tenant) -> None:
    assert _join(clinic, c.patient, c).status_code == 302
    page = client_for(clinic, c.patient).get("/clinic/waitlist/").content.decode()
    assert "Monday, Wednesday, Friday" in page
    assert "Morning (before 12:00 PM)" in page
    with tenant_context(clinic):
        entry = WaitlistEntry.objects.get(patient=c.patient)
        assert (entry.weekdays, entry.periods) == ([0, 2, 4], ["morning"])
    # the front desk sees who waits for the dentist; the other dentist's list is another
    desk = client_for(clinic, c.receptionist)
    listed = desk.get(f"/clinic/waitlist/dentists/?dentist={c.dentist.pk}").content.decode()
    assert "Pat One" in listed
    other = desk.get(f"/clinic/waitlist/dentists/?dentist={c.dentist2.pk}").content.decode()
    assert "Pat One" not in other and "Nobody is waiting" in other
    # a dentist sees their own list only
    own = client_for(clinic, c.dentist).get("/clinic/waitlist/dentists/")
    assert "Pat One" in own.content.decode()
    theirs = client_for(clinic, c.dentist2).get(
        f"/clinic/waitlist/dentists/?dentist={c.dentist.pk}"
    )
    assert theirs.status_code == 404
    # leaving
    response = client_for(clinic, c.patient).post(f"/clinic/waitlist/{entry.pk}/leave/")
    assert response.status_code == 302
    page = client_for(clinic, c.patient).get("/clinic/waitlist/").content.decode()
    assert "You are not on the waitlist." in page
    with tenant_context(clinic):
        # and a freed time is no longer offered to them
        free_the_time(c, starts_at=at(_next_weekday(0), time(10)))
        assert offered_to() == set()


def _next_weekday(weekday: int) -> date:
    return next(
        local_today() + timedelta(days=n)
        for n in range(2, 9)
        if (local_today() + timedelta(days=n)).weekday() == weekday
    )


def test_joining_twice_is_refused_with_a_message(c: Clinic, clinic: Tenant) -> None:
    assert _join(clinic, c.patient, c).status_code == 302
    again = _join(clinic, c.patient, c, periods=["evening"])
    assert again.status_code == 400
    assert "already on the waitlist for Check-up with Dr. Able" in again.content.decode()
    with tenant_context(clinic):
        assert WaitlistEntry.objects.filter(patient=c.patient).count() == 1
        # and the database refuses it too, whatever the Python check sees
        entry = WaitlistEntry.objects.get(patient=c.patient)
        entry.pk = None
        with pytest.raises(IntegrityError), transaction.atomic():
            entry.save()
    # another kind with the same dentist is another entry
    assert _join(clinic, c.patient, c, type=c.filling.pk).status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weekdays": []}, "Choose at least one day of the week."),
        ({"periods": []}, "Choose at least one time of day."),
        ({"weekdays": ["9"]}, "Choose at least one day of the week."),
        ({"periods": ["night"]}, "Choose at least one time of day."),
        ({"until": "2001-01-01"}, "Choose a last day that is today or later."),
        ({"until": "2999-01-01"}, "You can wait up to"),
        ({"until": "tomorrow"}, "date"),
        ({"dentist": "abc"}, "whole number"),
        ({"dentist": "999999"}, "Choose a dentist and a kind of appointment."),
    ],
)
def test_bad_join_input_gets_the_page_and_a_message(
    c: Clinic, clinic: Tenant, fields: dict[str, object], message: str
) -> None:
    response = _join(clinic, c.patient, c, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Join the waitlist" in response.content.decode()
    with tenant_context(clinic):
        assert not WaitlistEntry.objects.exists()


def test_a_dentist_who_does_not_offer_the_kind_is_refused(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        c.filling.dentists.set([c.dentist2])
    response = _join(clinic, c.patient, c, type=c.filling.pk)
    assert response.status_code == 400
    assert "Dr. Able does not offer Filling" in response.content.decode()


def test_someone_elses_entry_cannot_be_left(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        entry = wait(c, c.patient)
    assert (
        client_for(clinic, c.patient2).post(f"/clinic/waitlist/{entry.pk}/leave/").status_code
        == 404
    )
    assert (
        client_for(clinic, c.receptionist).post(f"/clinic/waitlist/{entry.pk}/leave/").status_code
        == 403
    )
    with tenant_context(clinic):
        entry.refresh_from_db()
        assert entry.state == "waiting"


def test_the_other_clinic_sees_none_of_it(
    c: Clinic, other: Clinic, clinic: Tenant, clinic_b: Tenant
) -> None:
    with tenant_context(clinic):
        entry = wait(c, c.patient)
    desk = client_for(clinic_b, other.receptionist)
    page = desk.get(f"/clinic/waitlist/dentists/?dentist={other.dentist.pk}").content.decode()
    assert "Nobody is waiting" in page
    leave = client_for(clinic_b, other.patient).post(f"/clinic/waitlist/{entry.pk}/leave/")
    assert leave.status_code == 404
    with tenant_context(clinic_b):
        assert not WaitlistEntry.objects.exists()


def test_the_waitlist_reads_in_spanish(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        first, _ = _two_offers(c)
    client = client_for(clinic, c.patient)
    with reading(clinic, c.patient, "es-mx"):
        page = client.get("/clinic/waitlist/").content.decode()
        offer = client.get(f"/clinic/waitlist/offers/{first.pk}/").content.decode()
    assert "Lista de espera" in page
    assert "Mañana (antes de las 12:00)" in page
    assert "Aceptar este horario" in offer


def test_booking_from_one_offer_withdraws_the_entrys_other_offers(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        # given a patient offered two freed times from one entry
        wait(c, c.patient)
        free_the_time(c, starts_at=slot(days=3, hour=10), patient=c.admin)
        free_the_time(c, starts_at=slot(days=4, hour=10), patient=c.admin)
        first, later = WaitlistOffer.objects.order_by("starts_at")
        # when they take the first
        waitlist.waitlist_offer_accept(offer=first, by=c.patient)
        # then the other closes: they are off that waitlist
        later.refresh_from_db()
        assert later.state == "withdrawn"
    response = client_for(clinic, c.patient).post(f"/clinic/waitlist/offers/{later.pk}/accept/")
    assert response.status_code == 400
    assert "booked another time from it" in response.content.decode()
