"""The first to accept a freed time gets it, decided by PostgreSQL: waiting patients accept
the same offer time at the same moment, each in its own thread and connection committing for
real, and exactly one appointment is booked; every other one reads "already taken"."""

from datetime import timedelta
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.roles import Role
from clinic.clock import local_today
from clinic.errors import OfferTaken
from clinic.models import Appointment, WaitlistOffer, WaitlistSlot
from clinic.services import appointments, waitlist
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment, make_clinic, slot
from tests.clinic.test_double_booking import in_threads
from tests.factories import client_for, make_user

pytestmark = pytest.mark.usefixtures("live_db")


def _offered(clinic: Tenant, waiting: int) -> tuple[Clinic, list[WaitlistOffer]]:
    """`waiting` patients on Dr. Able's waitlist, and his 10:00 cancelled: one offer each."""
    with tenant_context(clinic):
        c = make_clinic(clinic)
        patients = [make_user(clinic, Role.PATIENT, name=f"Racer {n}") for n in range(waiting)]
        for patient in patients:
            waitlist.waitlist_join(
                patient=patient,
                dentist=c.dentist,
                appointment_type=c.checkup,
                weekdays=list(range(7)),
                periods=["morning", "afternoon", "evening"],
                until=local_today() + timedelta(days=10),
            )
        freed = make_appointment(c, starts_at=slot(days=3, hour=10))
        appointments.appointment_cancel(appointment=freed, by=c.receptionist)
        offers = list(WaitlistOffer.objects.select_related("patient").order_by("pk"))
    assert len(offers) == waiting
    return c, offers


@pytest.mark.parametrize("round_", range(4))
def test_patients_accepting_at_once_book_the_freed_time_once(clinic: Tenant, round_: int) -> None:
    # given four waiting patients offered the same freed time
    _, offers = _offered(clinic, 4)

    def accept(offer: WaitlistOffer) -> Any:
        return lambda: waitlist.waitlist_offer_accept(offer=offer, by=offer.patient)

    # when they all accept at the same moment
    results = in_threads(clinic, [accept(o) for o in offers])
    # then one of them has the appointment, and each other one was told it is taken
    won = [r for r in results if isinstance(r, Appointment)]
    lost = [r for r in results if isinstance(r, OfferTaken)]
    assert len(won) == 1 and len(lost) == 3, results
    assert all("has already been taken" in r.messages[0] for r in lost)
    with tenant_context(clinic):
        booked = Appointment.objects.filter(starts_at=slot(days=3, hour=10), state="confirmed")
        assert [a.patient_id for a in booked] == [won[0].patient_id]
        states = sorted(WaitlistOffer.objects.values_list("state", flat=True))
        assert states == ["accepted", "taken", "taken", "taken"]
        assert not WaitlistSlot.objects.get().is_open


def test_two_accepts_posted_at_once_answer_302_and_409(clinic: Tenant) -> None:
    # given two waiting patients offered the same freed time, each on the offer page
    _, offers = _offered(clinic, 2)
    clients = [client_for(clinic, o.patient) for o in offers]

    def post(i: int) -> Any:
        return lambda: clients[i].post(f"/clinic/waitlist/offers/{offers[i].pk}/accept/")

    # when both press "Accept" at the same moment
    responses = in_threads(clinic, [post(0), post(1)])
    # then one lands on the appointment, the other reads that it was taken: no 500
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], responses
    loser = next(r for r in responses if r.status_code == 409)
    assert "has already been taken" in loser.content.decode()
    with tenant_context(clinic):
        assert Appointment.objects.filter(starts_at=slot(days=3, hour=10)).count() == 2
        assert (
            Appointment.objects.filter(starts_at=slot(days=3, hour=10), state="confirmed").count()
            == 1
        )


@pytest.mark.parametrize("round_", range(3))
def test_two_patients_taking_two_freed_times_at_once_both_get_one(
    clinic: Tenant, round_: int
) -> None:
    # given two patients each offered both of two freed times (10:00 and 11:00)
    c, offers = _offered(clinic, 2)
    with tenant_context(clinic):
        freed = make_appointment(c, starts_at=slot(days=3, hour=11))
        appointments.appointment_cancel(appointment=freed, by=c.receptionist)
        at_eleven = {
            o.patient_id: o
            for o in WaitlistOffer.objects.select_related("patient").filter(
                starts_at=slot(days=3, hour=11)
            )
        }
    first, second = offers
    # when one accepts 10:00 and the other 11:00 at the same moment (each closing the
    # other's offer of the time they take)
    results = in_threads(
        clinic,
        [
            lambda: waitlist.waitlist_offer_accept(offer=first, by=first.patient),
            lambda: waitlist.waitlist_offer_accept(
                offer=at_eleven[second.patient_id], by=second.patient
            ),
        ],
    )
    # then both have their appointment, and no offer is left open
    assert all(isinstance(r, Appointment) for r in results), results
    with tenant_context(clinic):
        assert not WaitlistOffer.objects.filter(state="open").exists()
