"""Every notification the clinic sends, declared once (loaded by realtime.apps.ready).

A notification stores parameters (ids, names, ISO times, the reason, the message text), never
sentences: title and body are rendered from them whenever a page, a socket (live or on
replay) or an e-mail shows the notification, with times in the clinic's time zone at that
moment. `when` and `state_label`, which the pages put in place as they are (a row's link
text, a state badge), are labels rendered at the same time, not stored.

The services build the parameters with the helpers at the end, from the appointment's summary
built once per change."""

from collections.abc import Callable
from datetime import datetime
from typing import TypedDict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.clock import when_label
from clinic.invitations import appointment_invitation
from clinic.models import WaitlistOffer, WaitlistSlot
from clinic.selectors import AppointmentSummary, appointment_url
from clinic.states import AppointmentState
from realtime.catalogue import NotificationType, register
from realtime.families import APPOINTMENTS, MESSAGES


class AppointmentParams(TypedDict):
    """What every appointment notification carries."""

    appointment_id: int
    state: str
    starts_at: str  # ISO
    ends_at: str  # ISO
    dentist_id: int
    dentist_name: str
    type_name: str


class RequestedParams(AppointmentParams):
    patient_name: str


class DeclinedParams(AppointmentParams):
    reason: str  # "" when none was given


class RescheduledParams(AppointmentParams):
    # The row the move replaced (a confirmed appointment ends as `rescheduled`); None when a
    # request was answered with another time (the same row moved).
    previous_id: int | None
    previous_starts_at: str  # ISO
    previous_ends_at: str  # ISO


class CancelledParams(AppointmentParams):
    cancelled_by: str  # "patient" or "clinic"
    patient_name: str
    reason: str  # "" when none was given


class ProposedParams(AppointmentParams):
    # `starts_at`/`ends_at` stay the requested time until the patient accepts.
    proposed_starts_at: str  # ISO
    proposed_ends_at: str  # ISO
    patient_name: str


class MessageParams(AppointmentParams):
    message_id: int
    author_id: int
    author_name: str
    text: str
    created_at: str  # ISO


BODY_PREVIEW = 140


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _shown(starts_at: datetime, ends_at: datetime | None = None) -> str:
    """when_label in the zone realtime.catalogue.render_for made current (the clinic's): a
    socket renders on its event loop, where the tenant cannot be looked up."""
    return when_label(starts_at, ends_at, zone=timezone.get_current_timezone())


def _when(p: AppointmentParams) -> str:
    """The appointment's time, rendered now in the clinic's time zone."""
    return _shown(_at(p["starts_at"]), _at(p["ends_at"]))


def _url(p: AppointmentParams) -> str:
    return appointment_url(p["appointment_id"])


# Rendered when shown, like the title and body: the pages put them in place as they are.
# Every text below is translated at that moment (gettext, never at import), so it reads in the
# language active for its reader: a page's, a socket's or an e-mail's.
LABELS: dict[str, Callable[[AppointmentParams], str]] = {
    "when": _when,
    "state_label": lambda p: str(AppointmentState(p["state"]).label),
}


def _requested_body(p: RequestedParams) -> str:
    return _("%(patient)s asks for %(kind)s on %(when)s.") % {
        "patient": p["patient_name"],
        "kind": p["type_name"],
        "when": _when(p),
    }


def _confirmed_body(p: AppointmentParams) -> str:
    return _("%(kind)s with %(dentist)s on %(when)s is confirmed.") % {
        "kind": p["type_name"],
        "dentist": p["dentist_name"],
        "when": _when(p),
    }


def _declined_body(p: DeclinedParams) -> str:
    when = _shown(_at(p["starts_at"]))
    if p["reason"]:
        return _(
            "Your request for %(when)s was declined: %(reason)s Please choose another time."
        ) % {"when": when, "reason": p["reason"]}
    return _("Your request for %(when)s was declined. Please choose another time.") % {"when": when}


def _rescheduled_body(p: RescheduledParams) -> str:
    return _("%(dentist)s moved your %(kind)s from %(previous)s to %(when)s.") % {
        "dentist": p["dentist_name"],
        "kind": p["type_name"],
        "previous": _shown(_at(p["previous_starts_at"]), _at(p["previous_ends_at"])),
        "when": _when(p),
    }


def _cancelled_body(p: CancelledParams) -> str:
    if p["cancelled_by"] == "patient":
        return _("%(patient)s cancelled %(when)s.") % {
            "patient": p["patient_name"],
            "when": _when(p),
        }
    if p["reason"]:
        return _("The clinic cancelled your appointment on %(when)s: %(reason)s") % {
            "when": _when(p),
            "reason": p["reason"],
        }
    return _("The clinic cancelled your appointment on %(when)s.") % {"when": _when(p)}


def _reminder_body(p: AppointmentParams) -> str:
    return _("Reminder: %(kind)s with %(dentist)s on %(when)s.") % {
        "kind": p["type_name"],
        "dentist": p["dentist_name"],
        "when": _when(p),
    }


def _proposed_when(p: ProposedParams) -> str:
    return _shown(_at(p["proposed_starts_at"]), _at(p["proposed_ends_at"]))


PROPOSAL_LABELS: dict[str, Callable[[ProposedParams], str]] = {
    **LABELS,
    "proposed_when": _proposed_when,
}


def _proposed_body(p: ProposedParams) -> str:
    return _(
        "%(dentist)s proposes %(proposed)s for your %(kind)s instead of %(when)s. Accept or "
        "decline the new time."
    ) % {
        "dentist": p["dentist_name"],
        "proposed": _proposed_when(p),
        "kind": p["type_name"],
        "when": _when(p),
    }


def _accepted_body(p: ProposedParams) -> str:
    return _("%(patient)s accepted the new time, %(when)s; the appointment is confirmed.") % {
        "patient": p["patient_name"],
        "when": _when(p),
    }


def _rejected_body(p: ProposedParams) -> str:
    return _(
        "%(patient)s declined the new time %(proposed)s; the request for %(when)s is open again."
    ) % {"patient": p["patient_name"], "proposed": _proposed_when(p), "when": _when(p)}


def _withdrawn_body(p: RequestedParams) -> str:
    return _("%(patient)s withdrew the request for %(when)s.") % {
        "patient": p["patient_name"],
        "when": _when(p),
    }


def _message_title(p: MessageParams) -> str:
    return _("Message from %(author)s") % {"author": p["author_name"]}


def _message_body(p: MessageParams) -> str:
    text = p["text"]
    return text if len(text) <= BODY_PREVIEW else text[: BODY_PREVIEW - 1] + "…"


APPOINTMENT_REQUESTED = register(
    NotificationType(
        type="appointment.requested",
        params=RequestedParams,
        audience="the dentist the patient asked for and every active receptionist",
        title=lambda p: _("New appointment request"),
        body=_requested_body,
        url=_url,
        family=APPOINTMENTS,
        labels=LABELS,
    )
)
APPOINTMENT_CONFIRMED = register(
    NotificationType(
        type="appointment.confirmed",
        params=AppointmentParams,
        audience="the patient",
        title=lambda p: _("Appointment confirmed"),
        body=_confirmed_body,
        url=_url,
        family=APPOINTMENTS,
        labels=LABELS,
        email_attachment=appointment_invitation,
    )
)
APPOINTMENT_DECLINED = register(
    NotificationType(
        type="appointment.declined",
        params=DeclinedParams,
        audience="the patient",
        title=lambda p: _("Appointment request declined"),
        body=_declined_body,
        url=_url,
        family=APPOINTMENTS,
        labels=LABELS,
    )
)
APPOINTMENT_RESCHEDULED = register(
    NotificationType(
        type="appointment.rescheduled",
        params=RescheduledParams,
        audience="the patient",
        title=lambda p: _("Appointment moved"),
        body=_rescheduled_body,
        url=_url,
        family=APPOINTMENTS,
        labels=LABELS,
        email_attachment=appointment_invitation,
    )
)
APPOINTMENT_CANCELLED = register(
    NotificationType(
        type="appointment.cancelled",
        params=CancelledParams,
        audience="the dentist when the patient cancels; the patient when the clinic cancels",
        title=lambda p: _("Appointment cancelled"),
        body=_cancelled_body,
        url=_url,
        family=APPOINTMENTS,
        labels=LABELS,
        email_attachment=appointment_invitation,
    )
)
APPOINTMENT_REMINDER = register(
    NotificationType(
        type="appointment.reminder",
        params=AppointmentParams,
        audience="the patient, once, within the clinic's reminder lead time (also by e-mail)",
        title=lambda p: _("Appointment reminder"),
        body=_reminder_body,
        url=_url,
        family=APPOINTMENTS,
        email_copy=False,
        labels=LABELS,
    )
)
APPOINTMENT_PROPOSED = register(
    NotificationType(
        type="appointment.proposed",
        params=ProposedParams,
        audience="the patient, when the clinic answers a request with another time",
        title=lambda p: _("New time proposed"),
        body=_proposed_body,
        url=_url,
        family=APPOINTMENTS,
        labels=PROPOSAL_LABELS,
    )
)
APPOINTMENT_PROPOSAL_ACCEPTED = register(
    NotificationType(
        type="appointment.proposal_accepted",
        params=ProposedParams,
        audience="the dentist and every active receptionist",
        title=lambda p: _("New time accepted"),
        body=_accepted_body,
        url=_url,
        family=APPOINTMENTS,
        labels=PROPOSAL_LABELS,
    )
)
APPOINTMENT_PROPOSAL_DECLINED = register(
    NotificationType(
        type="appointment.proposal_declined",
        params=ProposedParams,
        audience="the dentist and every active receptionist",
        title=lambda p: _("New time declined"),
        body=_rejected_body,
        url=_url,
        family=APPOINTMENTS,
        labels=PROPOSAL_LABELS,
    )
)
APPOINTMENT_WITHDRAWN = register(
    NotificationType(
        type="appointment.withdrawn",
        params=RequestedParams,
        audience="the dentist and every active receptionist",
        title=lambda p: _("Request withdrawn"),
        body=_withdrawn_body,
        url=_url,
        family=APPOINTMENTS,
        labels=LABELS,
    )
)
APPOINTMENT_MESSAGE = register(
    NotificationType(
        type="appointment.message",
        params=MessageParams,
        audience="the other side of the thread: the patient's messages reach the dentist and "
        "the receptionists; the clinic's reach the patient and the dentist (not the author)",
        title=_message_title,
        body=_message_body,
        url=_url,
        family=MESSAGES,
        labels=LABELS,
    )
)


# --- builders ------------------------------------------------------------------------------


def appointment_params(summary: AppointmentSummary) -> AppointmentParams:
    return {
        "appointment_id": summary["id"],
        "state": summary["state"],
        "starts_at": summary["starts_at"],
        "ends_at": summary["ends_at"],
        "dentist_id": summary["dentist_id"],
        "dentist_name": summary["dentist_name"],
        "type_name": summary["type_name"],
    }


def requested_params(summary: AppointmentSummary) -> RequestedParams:
    return {**appointment_params(summary), "patient_name": summary["patient_name"]}


def declined_params(summary: AppointmentSummary, *, reason: str) -> DeclinedParams:
    return {**appointment_params(summary), "reason": reason}


def rescheduled_params(
    summary: AppointmentSummary,
    *,
    previous_id: int | None,
    previous_starts_at: datetime,
    previous_ends_at: datetime,
) -> RescheduledParams:
    return {
        **appointment_params(summary),
        "previous_id": previous_id,
        "previous_starts_at": previous_starts_at.isoformat(),
        "previous_ends_at": previous_ends_at.isoformat(),
    }


def cancelled_params(
    summary: AppointmentSummary, *, by_patient: bool, reason: str
) -> CancelledParams:
    return {
        **appointment_params(summary),
        "cancelled_by": "patient" if by_patient else "clinic",
        "patient_name": summary["patient_name"],
        "reason": reason,
    }


def proposed_params(
    summary: AppointmentSummary, *, proposed_starts_at: datetime, proposed_ends_at: datetime
) -> ProposedParams:
    return {
        **appointment_params(summary),
        "proposed_starts_at": proposed_starts_at.isoformat(),
        "proposed_ends_at": proposed_ends_at.isoformat(),
        "patient_name": summary["patient_name"],
    }


def message_params(
    summary: AppointmentSummary,
    *,
    message_id: int,
    author_id: int,
    author_name: str,
    text: str,
    created_at: datetime,
) -> MessageParams:
    return {
        **appointment_params(summary),
        "message_id": message_id,
        "author_id": author_id,
        "author_name": author_name,
        "text": text,
        "created_at": created_at.isoformat(),
    }


# --- the waitlist (#14) ----------------------------------------------------------------------


class WaitlistOfferParams(TypedDict):
    """A freed time offered to one waiting patient; the first of them to accept books it."""

    offer_id: int
    slot_id: int
    starts_at: str  # ISO
    ends_at: str  # ISO
    expires_at: str  # ISO
    dentist_id: int
    dentist_name: str
    type_name: str


class WaitlistTakenParams(TypedDict):
    """The offers of a freed time that another patient accepted first (one for all of them)."""

    slot_id: int
    starts_at: str  # ISO
    dentist_id: int
    dentist_name: str


def _offer_url(p: WaitlistOfferParams) -> str:
    return reverse("clinic:waitlist_offer", kwargs={"offer_id": p["offer_id"]})


def _offer_when(p: WaitlistOfferParams) -> str:
    return _shown(_at(p["starts_at"]), _at(p["ends_at"]))


def _offer_expires(p: WaitlistOfferParams) -> str:
    return _shown(_at(p["expires_at"]))


def _offer_body(p: WaitlistOfferParams) -> str:
    return _(
        "%(dentist)s has a free time on %(when)s for your %(kind)s. The first patient to accept "
        "it gets it; the offer is open until %(expires)s."
    ) % {
        "dentist": p["dentist_name"],
        "when": _offer_when(p),
        "kind": p["type_name"],
        "expires": _offer_expires(p),
    }


def _taken_body(p: WaitlistTakenParams) -> str:
    return _(
        "The time with %(dentist)s on %(when)s was taken by another patient. You are still on "
        "the waitlist."
    ) % {"dentist": p["dentist_name"], "when": _shown(_at(p["starts_at"]))}


def _filled_body(p: RequestedParams) -> str:
    return _("%(patient)s took the freed time %(when)s from the waitlist; it is confirmed.") % {
        "patient": p["patient_name"],
        "when": _when(p),
    }


WAITLIST_OFFERED = register(
    NotificationType(
        type="waitlist.offered",
        params=WaitlistOfferParams,
        audience="each waiting patient whose days and times the freed time suits",
        title=lambda p: _("A time freed up for you"),
        body=_offer_body,
        url=_offer_url,
        family=APPOINTMENTS,
        labels={"when": _offer_when, "expires": _offer_expires},
    )
)
WAITLIST_OFFER_TAKEN = register(
    NotificationType(
        type="waitlist.offer_taken",
        params=WaitlistTakenParams,
        audience="the other patients offered the time, once one of them accepted it",
        title=lambda p: _("The freed time was taken"),
        body=_taken_body,
        url=lambda p: reverse("clinic:waitlist"),
        family=APPOINTMENTS,
        # It only closes an offer they may never have opened: no e-mail about it.
        email_copy=False,
    )
)
WAITLIST_FILLED = register(
    NotificationType(
        type="waitlist.filled",
        params=RequestedParams,
        audience="the dentist and every active receptionist, when a waiting patient takes a "
        "freed time",
        title=lambda p: _("Freed time taken from the waitlist"),
        body=_filled_body,
        url=_url,
        family=APPOINTMENTS,
        labels=LABELS,
    )
)


def waitlist_offer_params(offer: WaitlistOffer) -> WaitlistOfferParams:
    entry = offer.entry
    return {
        "offer_id": offer.pk,
        "slot_id": offer.slot_id,
        "starts_at": offer.starts_at.isoformat(),
        "ends_at": offer.ends_at.isoformat(),
        "expires_at": offer.expires_at.isoformat(),
        "dentist_id": entry.dentist_id,
        "dentist_name": entry.dentist.display_name,
        "type_name": entry.type.name,
    }


def waitlist_taken_params(slot: WaitlistSlot) -> WaitlistTakenParams:
    return {
        "slot_id": slot.pk,
        "starts_at": slot.starts_at.isoformat(),
        "dentist_id": slot.dentist_id,
        "dentist_name": slot.dentist.display_name,
    }
