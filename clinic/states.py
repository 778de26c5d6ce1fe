"""The appointment state machine as data: its states, which of them hold a slot, the actions
that move an appointment between them and which side may take each.

Services check a change here (`require_action`), templates draw the buttons `actions_for` a
user returns, and appointment summaries carry the actions per side so the pages' scripts
read them instead of restating the rules. Time rules (the patient's cancellation cut-off,
"only once it has started") stay in the services: a button is offered by state and side, the
service then explains a refusal that depends on the clock.

Nothing here imports the models (the models import this module for their constraints)."""

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.roles import CLINIC_STAFF, Role
from clinic.errors import TransitionRefused

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from accounts.models import User
    from clinic.models import Appointment


class AppointmentState(models.TextChoices):
    # Labels are lazy: a page, a notification or a refusal reads them in its reader's language.
    REQUESTED = "requested", _("Requested")
    # The clinic answered a request with another time; the patient accepts or declines it.
    PROPOSED = "proposed", _("New time proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = AppointmentState

# States in which an appointment occupies its dentist and chair; the others free the slot.
# The exclusion constraints on Appointment read this (clinic.models).
# A proposal keeps the requested time held: the patient may decline the new time and the
# request stands; the proposed time is taken only on acceptance (the constraints decide then).
HOLDING_STATES: tuple[str, ...] = (S.REQUESTED, S.PROPOSED, S.CONFIRMED)
# A request the clinic has not answered yet.
AWAITING_ANSWER = S.REQUESTED
# Rows that are no booking of the dentist's day: a refused or withdrawn request, a row a
# reschedule replaced.
OFF_SCHEDULE_STATES: tuple[str, ...] = (S.DECLINED, S.RESCHEDULED, S.WITHDRAWN)


class Side(StrEnum):
    """Who acts: the appointment's patient, or the clinic (its staff; a dentist only on their
    own appointments)."""

    PATIENT = "patient"
    CLINIC = "clinic"


@dataclass(frozen=True)
class Action:
    name: str  # also the key the pages' scripts and templates use
    label: "StrPromise"  # the button's text, in the reader's language when drawn
    url_name: str  # the view that takes it (reschedule and propose share one)
    source: str  # the state it applies to
    target: str  # the state it leads to
    sides: frozenset[Side]

    @property
    def asks_first(self) -> bool:
        """Whether its button opens a confirmation step before the form can be sent."""
        return self.name in CONFIRM_STEP


CLINIC_ONLY = frozenset({Side.CLINIC})
PATIENT_ONLY = frozenset({Side.PATIENT})
EITHER_SIDE = frozenset({Side.PATIENT, Side.CLINIC})

# In the order the buttons are shown.
ACTIONS: tuple[Action, ...] = (
    Action("confirm", _("Confirm"), "clinic:confirm", S.REQUESTED, S.CONFIRMED, CLINIC_ONLY),
    Action("decline", _("Decline"), "clinic:decline", S.REQUESTED, S.DECLINED, CLINIC_ONLY),
    # Answering a request with another time proposes it: only the patient's acceptance moves
    # and confirms the appointment; declining leaves the request at its own time.
    Action("propose", _("Propose time"), "clinic:propose", S.REQUESTED, S.PROPOSED, CLINIC_ONLY),
    Action("accept", _("Accept new time"), "clinic:accept", S.PROPOSED, S.CONFIRMED, PATIENT_ONLY),
    Action("reject", _("Decline new time"), "clinic:reject", S.PROPOSED, S.REQUESTED, PATIENT_ONLY),
    Action(
        "withdraw", _("Withdraw request"), "clinic:withdraw", S.REQUESTED, S.WITHDRAWN, PATIENT_ONLY
    ),
    # A button, not the state's badge: the same English word, translated apart from it.
    Action(
        "complete",
        pgettext_lazy("button", "Completed"),
        "clinic:complete",
        S.CONFIRMED,
        S.COMPLETED,
        CLINIC_ONLY,
    ),
    Action(
        "no_show",
        pgettext_lazy("button", "No-show"),
        "clinic:no_show",
        S.CONFIRMED,
        S.NO_SHOW,
        CLINIC_ONLY,
    ),
    # Moving a confirmed appointment ends it as `rescheduled` and books a new confirmed row.
    Action(
        "reschedule", _("Reschedule"), "clinic:propose", S.CONFIRMED, S.RESCHEDULED, CLINIC_ONLY
    ),
    Action("cancel", _("Cancel"), "clinic:cancel", S.CONFIRMED, S.CANCELLED, EITHER_SIDE),
)
ACTIONS_BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS}
# Actions that are hard to undo or tell someone at once: their button opens a confirmation step.
CONFIRM_STEP: frozenset[str] = frozenset({"confirm", "decline", "cancel", "no_show", "withdraw"})

# Every allowed change of state, derived from the actions (one definition).
TRANSITIONS: dict[str, frozenset[str]] = {
    state: frozenset(a.target for a in ACTIONS if a.source == state)
    for state in dict.fromkeys(a.source for a in ACTIONS)
}

# How a refusal names the change, by target state: it completes "it cannot be …" and "it can
# be … only once it has started" (Spanish reads "no se puede …" / "solo se puede …", so the
# context tells translators which form the sentence needs).
VERBS: dict[str, "StrPromise"] = {
    S.CONFIRMED: pgettext_lazy("an appointment can be …", "confirmed"),
    S.DECLINED: pgettext_lazy("an appointment can be …", "declined"),
    S.CANCELLED: pgettext_lazy("an appointment can be …", "cancelled"),
    S.RESCHEDULED: pgettext_lazy("an appointment can be …", "rescheduled"),
    S.COMPLETED: pgettext_lazy("an appointment can be …", "marked completed"),
    S.NO_SHOW: pgettext_lazy("an appointment can be …", "marked a no-show"),
    S.PROPOSED: pgettext_lazy("an appointment can be …", "given another time"),
    S.REQUESTED: pgettext_lazy("an appointment can be …", "returned to its requested time"),
    S.WITHDRAWN: pgettext_lazy("an appointment can be …", "withdrawn"),
}


def clinic_side_refusal(appointment: "Appointment", user: "User") -> str | None:
    """Why `user` may not act for the clinic on `appointment`, or None if they may: dentists
    act on their own appointments, receptionists and administrators on any."""
    if not user.has_role(*CLINIC_STAFF):
        return gettext("Only the clinic can do this.")
    if user.role == Role.DENTIST and appointment.dentist_id != user.pk:
        return gettext("This is another dentist's appointment.")
    return None


def side_of(appointment: "Appointment", user: "User") -> Side | None:
    """The side `user` acts on for `appointment`, or None if they may not act on it."""
    if user.pk == appointment.patient_id:
        return Side.PATIENT
    if clinic_side_refusal(appointment, user) is None:
        return Side.CLINIC
    return None


def actions_of(side: Side) -> list[Action]:
    """Every action a side may ever take (the forms a page's script may need to draw)."""
    return [a for a in ACTIONS if side in a.sides]


def actions_in(state: str, side: Side) -> list[Action]:
    return [a for a in ACTIONS if a.source == state and side in a.sides]


def actions_for(appointment: "Appointment", user: "User") -> list[Action]:
    """What `user` may do with `appointment` now, in the order the buttons are shown."""
    side = side_of(appointment, user)
    return [] if side is None else actions_in(appointment.state, side)


def actions_by_side(state: str) -> dict[str, list[str]]:
    """The action names of each side in `state`: what an appointment summary carries, since
    one summary reaches several viewers (a schedule's topic event goes to the dentist and
    the front desk). A page applies its viewer's side; every watcher of a schedule acts on
    the clinic's side of it (a dentist may watch only their own schedule)."""
    return {side.value: [a.name for a in actions_in(state, side)] for side in Side}


def actions_table(side: Side) -> dict[str, list[str]]:
    """state -> action names of one side, for a page that follows notifications (which carry
    the state, not the actions)."""
    return {state: [a.name for a in actions_in(state, side)] for state in S.values}


def require_transition(appointment: "Appointment", target: str) -> None:
    if target not in TRANSITIONS.get(appointment.state, frozenset()):
        raise TransitionRefused(
            gettext("This appointment is %(state)s; it cannot be %(change)s.")
            % {"state": appointment.get_state_display().lower(), "change": VERBS[target]}
        )


def require_clinic_side(appointment: "Appointment", user: "User") -> None:
    refusal = clinic_side_refusal(appointment, user)
    if refusal is not None:
        raise ValidationError(refusal)


def require_action(appointment: "Appointment", user: "User", name: str) -> Side:
    """Refuse unless `user` may take action `name` on `appointment` in its current state;
    returns the side they act on. The side is checked first: a stranger learns nothing about
    the appointment's state."""
    action = ACTIONS_BY_NAME[name]
    if user.pk == appointment.patient_id and Side.PATIENT in action.sides:
        side = Side.PATIENT
    elif Side.CLINIC in action.sides:
        require_clinic_side(appointment, user)
        side = Side.CLINIC
    else:
        raise ValidationError(gettext("Only the patient can do this."))
    require_transition(appointment, action.target)
    if appointment.state != action.source:
        # Two actions may lead to one state from different ones (confirm, accept).
        raise TransitionRefused(
            gettext("This appointment is %(state)s; it cannot be %(change)s.")
            % {"state": appointment.get_state_display().lower(), "change": VERBS[action.target]}
        )
    return side
