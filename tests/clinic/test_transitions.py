"""Every transition of the appointment state machine, allowed and refused, with who is told."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from clinic.errors import SlotTaken, TransitionRefused
from clinic.models import Appointment, AppointmentState
from clinic.services import appointments
from clinic.services.common import SCHEDULE_TOPIC
from realtime.models import Notification
from realtime.services import notification_payload
from tenants.models import Tenant
from tests.clinic.factories import Clinic, hours_from_now, make_appointment, slot
from tests.school.helpers import listening

pytestmark = pytest.mark.django_db
S = AppointmentState
ALL_STATES = list(S.values)


def types_of(user_id: int) -> list[str]:
    return list(
        Notification.objects.filter(recipient_id=user_id)
        .order_by("seq")
        .values_list("type", flat=True)
    )


def test_request_then_confirm_tells_the_patient(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        # given a patient's request
        a = appointments.appointment_request(
            patient=c.patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot()
        )
        assert a.state == S.REQUESTED
        assert types_of(c.dentist.pk) == ["appointment.requested"]
        # when the dentist confirms
        appointments.appointment_confirm(appointment=a, by=c.dentist)
        # then it is confirmed and the patient (only) is told
        a.refresh_from_db()
        assert a.state == S.CONFIRMED
        assert types_of(c.patient.pk) == ["appointment.confirmed"]
        shown = notification_payload(Notification.objects.get(recipient=c.patient), language="en")[
            "data"
        ]
        assert shown["appointment_id"] == a.pk and shown["title"] and shown["url"]
        assert types_of(c.patient2.pk) == [] and types_of(c.dentist2.pk) == []


def test_receptionist_declines_and_the_slot_is_free_again(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = appointments.appointment_request(
            patient=c.patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot()
        )
        appointments.appointment_decline(appointment=a, by=c.receptionist, reason="Away that day")
        a.refresh_from_db()
        assert a.state == S.DECLINED
        assert types_of(c.patient.pk) == ["appointment.declined"]
        declined = Notification.objects.get(recipient=c.patient)
        assert declined.data["reason"] == "Away that day"
        assert "Away that day" in notification_payload(declined, language="en")["data"]["body"]
        # the declined request no longer holds the dentist
        again = appointments.appointment_request(
            patient=c.patient2, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot()
        )
        assert again.state == S.REQUESTED


def test_proposing_another_time_asks_the_patient_and_moves_nothing(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        a = appointments.appointment_request(
            patient=c.patient, dentist=c.dentist, appointment_type=c.checkup, starts_at=slot()
        )
        proposed = appointments.appointment_propose(
            appointment=a, by=c.dentist, starts_at=slot(hour=14)
        )
        assert proposed.pk == a.pk and proposed.state == S.PROPOSED
        assert proposed.starts_at == slot() and proposed.proposed_starts_at == slot(hour=14)
        assert types_of(c.patient.pk) == ["appointment.proposed"]


def test_rescheduling_a_confirmed_appointment_replaces_it(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=slot())
        moved = appointments.appointment_reschedule(
            appointment=a, by=c.receptionist, starts_at=slot(days=3, hour=9)
        )
        a.refresh_from_db()
        assert a.state == S.RESCHEDULED
        assert moved.pk != a.pk and moved.state == S.CONFIRMED and moved.rescheduled_from == a
        data = Notification.objects.get(recipient=c.patient).data
        assert data["appointment_id"] == moved.pk and data["previous_id"] == a.pk
        # overlapping the old time is fine: the old row gave its slot up
        appointments.appointment_reschedule(
            appointment=moved, by=c.dentist, starts_at=slot(minute=15)
        )


def test_patient_cancels_before_the_cutoff_and_the_dentist_is_told(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=hours_from_now(48))
        appointments.appointment_cancel(appointment=a, by=c.patient)
        a.refresh_from_db()
        assert a.state == S.CANCELLED
        assert types_of(c.dentist.pk) == ["appointment.cancelled"]
        assert types_of(c.patient.pk) == []


def test_patient_cannot_cancel_after_the_cutoff(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=hours_from_now(23))
        with pytest.raises(ValidationError, match="up to 24 hours before"):
            appointments.appointment_cancel(appointment=a, by=c.patient)
        a.refresh_from_db()
        assert a.state == S.CONFIRMED
        assert Notification.objects.count() == 0


def test_clinic_may_cancel_after_the_cutoff_and_the_patient_is_told(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=hours_from_now(2))
        appointments.appointment_cancel(appointment=a, by=c.dentist, reason="Dentist ill")
        assert types_of(c.patient.pk) == ["appointment.cancelled"]
        assert types_of(c.dentist.pk) == []


@pytest.mark.parametrize("to", [S.COMPLETED, S.NO_SHOW])
def test_complete_and_no_show_once_started(c: Clinic, clinic: Tenant, to: str) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=hours_from_now(-1))
        act = (
            appointments.appointment_complete
            if to == S.COMPLETED
            else appointments.appointment_no_show
        )
        act(appointment=a, by=c.dentist)
        a.refresh_from_db()
        assert a.state == to
        assert Notification.objects.count() == 0


@pytest.mark.parametrize("to", [S.COMPLETED, S.NO_SHOW])
def test_complete_and_no_show_refused_before_the_start(c: Clinic, clinic: Tenant, to: str) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=hours_from_now(3))
        act = (
            appointments.appointment_complete
            if to == S.COMPLETED
            else appointments.appointment_no_show
        )
        with pytest.raises(ValidationError, match="only once it has started"):
            act(appointment=a, by=c.dentist)


def _attempt(c: Clinic, a: Appointment, to: str) -> None:
    if to == S.CONFIRMED:
        appointments.appointment_confirm(appointment=a, by=c.dentist)
    elif to == S.DECLINED:
        appointments.appointment_decline(appointment=a, by=c.dentist)
    elif to == S.CANCELLED:
        appointments.appointment_cancel(appointment=a, by=c.dentist)
    elif to == S.RESCHEDULED:
        appointments.appointment_reschedule(appointment=a, by=c.dentist, starts_at=slot(days=4))
    elif to == S.COMPLETED:
        appointments.appointment_complete(appointment=a, by=c.dentist)
    elif to == S.NO_SHOW:
        appointments.appointment_no_show(appointment=a, by=c.dentist)
    elif to == S.PROPOSED:
        appointments.appointment_propose(appointment=a, by=c.dentist, starts_at=slot(days=4))
    elif to == S.WITHDRAWN:
        appointments.appointment_withdraw(appointment=a, by=c.patient)


ALLOWED = {
    (S.REQUESTED, S.CONFIRMED),
    (S.REQUESTED, S.DECLINED),
    (S.REQUESTED, S.PROPOSED),
    (S.REQUESTED, S.WITHDRAWN),
    (S.CONFIRMED, S.CANCELLED),
    (S.CONFIRMED, S.RESCHEDULED),
    (S.CONFIRMED, S.COMPLETED),
    (S.CONFIRMED, S.NO_SHOW),
}
# (A request is answered with a proposal, never rescheduled; accepting and declining a
# proposal are the patient's: tests/clinic/test_proposals.py.)
REFUSED = [
    (frm, to)
    for frm in ALL_STATES
    for to in ALL_STATES
    if to != S.REQUESTED and (frm, to) not in ALLOWED
]


@pytest.mark.parametrize(("frm", "to"), REFUSED)
def test_refused_transitions_change_nothing(c: Clinic, clinic: Tenant, frm: str, to: str) -> None:
    with tenant_context(clinic):
        # past start so complete/no-show are refused for their state, not their time
        starts = hours_from_now(-1) if to in (S.COMPLETED, S.NO_SHOW) else slot()
        a = make_appointment(c, starts_at=starts, state=frm)
        with pytest.raises(TransitionRefused, match=f"is {a.get_state_display().lower()}"):
            _attempt(c, a, to)
        a.refresh_from_db()
        assert a.state == frm
        assert Notification.objects.count() == 0


def test_a_dentist_cannot_act_on_a_colleagues_appointment(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, state=S.REQUESTED)
        with pytest.raises(ValidationError, match="another dentist"):
            appointments.appointment_confirm(appointment=a, by=c.dentist2)
        with pytest.raises(ValidationError, match="Only the clinic"):
            appointments.appointment_confirm(appointment=a, by=c.patient)
        with pytest.raises(ValidationError, match="Only the clinic"):
            appointments.appointment_cancel(appointment=a, by=c.patient2)
        a.refresh_from_db()
        assert a.state == S.REQUESTED


def test_confirming_a_request_whose_time_passed_is_refused(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=hours_from_now(-2), state=S.REQUESTED)
        with pytest.raises(ValidationError, match="has passed"):
            appointments.appointment_confirm(appointment=a, by=c.dentist)


def test_live_copies_leave_after_commit_and_never_on_rollback(
    c: Clinic, clinic: Tenant, django_capture_on_commit_callbacks
) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, state=S.REQUESTED)
        with (
            listening(users=[c.patient]) as patient,
            listening(users=[c.dentist, c.patient2, c.receptionist]) as others,
            listening(topics=[(SCHEDULE_TOPIC, c.dentist.pk)]) as schedule,
        ):
            # when the dentist confirms a request, and before the transaction commits
            with django_capture_on_commit_callbacks() as callbacks:
                appointments.appointment_confirm(appointment=a, by=c.dentist)
            # then nothing has left yet
            assert patient.events(timeout=0.2) == [] and schedule.events(timeout=0.1) == []
            # when it commits
            for callback in callbacks:
                callback()
            # then the patient gets the notification and the schedule's watchers the event
            [notification] = patient.notifications()
            assert notification["type"] == "appointment.confirmed"
            assert notification["data"]["appointment_id"] == a.pk
            assert notification["data"]["state"] == S.CONFIRMED
            assert notification["data"]["title"] == "Appointment confirmed"
            [event] = schedule.events()
            assert event["type"] == "topic" and event["object_id"] == c.dentist.pk
            assert event["event"]["change"] == "confirmed"
            summary = event["event"]["appointment"]
            assert summary["id"] == a.pk and summary["state"] == S.CONFIRMED
            assert summary["actions"]["patient"] == ["cancel"]
            # and nobody else hears anything
            assert others.events(timeout=0.2) == []

            # given a patient cancelling too late (refused: the transaction rolls back)
            b = make_appointment(c, starts_at=hours_from_now(1))
            with (
                django_capture_on_commit_callbacks(execute=True) as callbacks,
                pytest.raises(ValidationError),
            ):
                appointments.appointment_cancel(appointment=b, by=c.patient)
            # then nothing was queued, sent or stored
            assert callbacks == []
            assert schedule.events(timeout=0.2) == [] and others.events(timeout=0.1) == []
            assert patient.events(timeout=0.1) == []
        assert not Notification.objects.filter(type="appointment.cancelled").exists()


def test_moving_into_a_taken_slot_changes_nothing(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=slot(hour=9))
        make_appointment(c, starts_at=slot(hour=14), patient=c.patient2, chair=c.chairs[1])
        with pytest.raises(SlotTaken, match="already booked"):
            appointments.appointment_reschedule(
                appointment=a, by=c.dentist, starts_at=slot(hour=14)
            )
        with pytest.raises(ValidationError, match="does not work at"):
            appointments.appointment_reschedule(
                appointment=a, by=c.dentist, starts_at=slot(hour=19)
            )
        a.refresh_from_db()
        assert a.state == S.CONFIRMED and a.starts_at == slot(hour=9)
        assert Appointment.objects.count() == 2
        assert Notification.objects.count() == 0
