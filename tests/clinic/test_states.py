"""The state machine as data: which actions each person is offered, that the services accept
exactly those, and that the pages take them from the server instead of restating them."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from accounts.models import User
from clinic.models import Appointment, AppointmentState
from clinic.states import ACTIONS, TRANSITIONS, actions_for, require_action
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment, slot
from tests.factories import client_for

pytestmark = pytest.mark.django_db
S = AppointmentState
CLINIC_REQUESTED = ["confirm", "decline", "propose"]
CLINIC_CONFIRMED = ["complete", "no_show", "reschedule", "cancel"]


def names(appointment: Appointment, user: User) -> list[str]:
    return [a.name for a in actions_for(appointment, user)]


def test_transitions_are_the_actions_changes() -> None:
    assert {
        S.REQUESTED: {S.CONFIRMED, S.DECLINED, S.PROPOSED, S.WITHDRAWN},
        S.PROPOSED: {S.CONFIRMED, S.REQUESTED},
        S.CONFIRMED: {S.CANCELLED, S.RESCHEDULED, S.COMPLETED, S.NO_SHOW},
    } == TRANSITIONS


def test_who_is_offered_what(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        requested = make_appointment(c, state=S.REQUESTED)
        confirmed = make_appointment(c, starts_at=slot(days=3))
        proposed = make_appointment(
            c, starts_at=slot(days=4), state=S.PROPOSED, proposed_starts_at=slot(days=5)
        )
        # the patient may withdraw a request, answer a proposal and cancel a confirmed one
        assert names(requested, c.patient) == ["withdraw"]
        assert names(proposed, c.patient) == ["accept", "reject"]
        assert names(confirmed, c.patient) == ["cancel"]
        # the dentist, the receptionist and the administrator act for the clinic
        for staff in (c.dentist, c.receptionist, c.admin):
            assert names(requested, staff) == CLINIC_REQUESTED
            assert names(confirmed, staff) == CLINIC_CONFIRMED
            # a proposal waits for the patient
            assert names(proposed, staff) == []
        # another dentist and another patient are offered nothing
        for stranger in (c.dentist2, c.patient2):
            assert names(requested, stranger) == [] and names(confirmed, stranger) == []
        # and a finished appointment offers nothing to anyone
        for state in (S.DECLINED, S.CANCELLED, S.RESCHEDULED, S.COMPLETED, S.NO_SHOW, S.WITHDRAWN):
            done = make_appointment(c, starts_at=slot(days=5), state=state)
            assert all(names(done, u) == [] for u in (c.patient, c.dentist, c.admin))


def test_the_services_accept_exactly_what_is_offered(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        # given an appointment in each state and everyone who might act on it
        people = (c.patient, c.patient2, c.dentist, c.dentist2, c.receptionist, c.admin)
        for state in S.values:
            a = make_appointment(c, starts_at=slot(days=2 + S.values.index(state)), state=state)
            for user in people:
                offered = set(names(a, user))
                for action in ACTIONS:
                    # when the services check an action, then they accept it iff it is offered
                    try:
                        require_action(a, user, action.name)
                        accepted = True
                    except ValidationError:
                        accepted = False
                    assert accepted == (action.name in offered), (state, user.role, action.name)


def test_the_pages_receive_the_actions(c: Clinic, clinic: Tenant) -> None:
    # given a request waiting for the clinic
    with tenant_context(clinic):
        requested = make_appointment(c, state=S.REQUESTED)
    # then the patient's list sends the patient's actions per state for its script
    page = client_for(clinic, c.patient).get("/clinic/appointments/").content.decode()
    table = re.search(r'<script id="clinic-actions" type="application/json">(.*?)</script>', page)
    assert table is not None
    assert json.loads(table.group(1))["confirmed"] == ["cancel"]
    assert '<template data-action="cancel">' in page
    # and the schedule's summaries carry the actions of each side
    data = client_for(clinic, c.receptionist).get(
        f"/clinic/schedule/data/?dentist={c.dentist.pk}&date={slot().date()}"
    )
    [summary] = data.json()["appointments"]
    assert summary["id"] == requested.pk
    assert summary["actions"] == {"patient": ["withdraw"], "clinic": CLINIC_REQUESTED}
    assert summary["on_schedule"] and summary["awaiting_answer"]


def test_the_scripts_do_not_restate_the_states() -> None:
    scripts = sorted((Path(settings.BASE_DIR) / "static" / "clinic").glob("*.js"))
    states = "|".join(S.values)
    assert scripts
    # no script compares a state with a literal: the server says what a state allows
    for script in scripts:
        text = script.read_text()
        assert not re.search(rf'[=!]==?\s*"({states})"', text), script.name
        assert not re.search(rf'"({states})"\s*[=!]==?', text), script.name
        assert "includes(a.state)" not in text, script.name
