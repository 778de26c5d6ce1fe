"""The calendar invitation an appointment e-mail carries to its patient (an e-mail copy of
`appointment.confirmed`, `.rescheduled` or `.cancelled`: clinic.notifications names this as
their `email_attachment`). A confirmation or a move is a REQUEST (same UID, higher SEQUENCE:
the calendar app moves the event it has), a cancellation a CANCEL (the app removes it).

Only the patient's e-mail carries one: they are who the appointment is for. Staff keep their
calendar with their feed (clinic.views_calendar), which names the same events. A change the
patient makes themselves (accepting a proposed time, cancelling) is told to the clinic only;
the same file reaches the patient by clinic.services.calendar_updates.

Built from the notification's parameters, not the appointment as it is when the e-mail goes
out: each e-mail describes the change it reports, and a later change brings its own."""

from datetime import datetime
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from clinic.calendar import (
    CANCEL,
    REQUEST,
    CalendarEvent,
    appointment_uid,
    calendar_bytes,
    chain_position,
)
from clinic.models import Appointment
from clinic.selectors import appointment_url
from clinic.states import AppointmentState
from realtime.models import Notification
from tenants.selectors import current_tenant, tenant_base_url

if TYPE_CHECKING:
    from clinic.notifications import AppointmentParams

FILENAME = "invite.ics"


def patient_summary(*, kind: str, dentist: str) -> str:
    """What the patient's calendar calls the appointment."""
    return _("%(kind)s with %(dentist)s") % {"kind": kind, "dentist": dentist}


def _sender() -> tuple[str, str]:
    """The address invitations come from (the e-mail's sender), with the clinic's name."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1], current_tenant().name


def invitation_part(
    *,
    appointment: Appointment,
    starts_at: datetime,
    ends_at: datetime,
    cancelled: bool,
    stamp: datetime,
) -> MIMEBase:
    """The .ics file (an e-mail part) that puts `appointment` at these times in its patient's
    calendar, or takes it out. Call in the patient's language."""
    first, depth = chain_position(appointment_id=appointment.pk)
    tenant = current_tenant()
    organizer_email, organizer_name = _sender()
    event = CalendarEvent(
        uid=appointment_uid(first_id=first),
        sequence=depth + (1 if cancelled else 0),
        starts_at=starts_at,
        ends_at=ends_at,
        stamp=stamp,
        summary=patient_summary(
            kind=appointment.type.name, dentist=appointment.dentist.display_name
        ),
        description=tenant.name,
        location=tenant.name,
        url=tenant_base_url(tenant=tenant) + appointment_url(appointment.pk),
        cancelled=cancelled,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendee_email=appointment.patient.email,
        attendee_name=appointment.patient.display_name,
    )
    method = CANCEL if cancelled else REQUEST
    part = MIMEText(calendar_bytes(events=[event], method=method).decode(), "calendar", "utf-8")
    # Mail programs show the invitation's buttons from the part's method.
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=FILENAME)
    return part


def appointment_invitation(
    params: "AppointmentParams", notification: Notification
) -> MIMEBase | None:
    """The .ics file for `notification`'s e-mail copy, or None when its recipient is not the
    appointment's patient. Call in the recipient's language (realtime.email_copies does)."""
    appointment = (
        Appointment.objects.filter(pk=params["appointment_id"])
        .select_related("patient", "dentist", "type")
        .first()
    )
    if appointment is None or appointment.patient_id != notification.recipient_id:
        return None
    return invitation_part(
        appointment=appointment,
        starts_at=datetime.fromisoformat(params["starts_at"]),
        ends_at=datetime.fromisoformat(params["ends_at"]),
        cancelled=params["state"] == AppointmentState.CANCELLED,
        stamp=notification.created_at,
    )
