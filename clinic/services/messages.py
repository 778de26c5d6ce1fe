"""The message thread of an appointment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from clinic.models import Appointment, AppointmentMessage
from clinic.notifications import APPOINTMENT_MESSAGE, message_params
from clinic.selectors import appointment_summary, receptionist_ids
from clinic.services.threads import inbox_publish_message
from clinic.states import require_clinic_side
from realtime.services import notify

MESSAGE_MAX = 2000


def appointment_message_post(
    *, appointment: Appointment, author: User, body: str
) -> AppointmentMessage:
    """Store a message and notify the other side: the patient's messages go to the dentist
    and the receptionists; the clinic's go to the patient (and the dentist, if someone else
    wrote). The notification carries the text, so replay brings back anything missed."""
    text = body.strip()
    if not text:
        raise ValidationError(_("Write a message first."))
    if len(text) > MESSAGE_MAX:
        raise ValidationError(
            ngettext(
                "Messages are limited to %(count)d character.",
                "Messages are limited to %(count)d characters.",
                MESSAGE_MAX,
            )
            % {"count": MESSAGE_MAX}
        )
    from_patient = author.pk == appointment.patient_id
    if not from_patient:
        require_clinic_side(appointment, author)
    with transaction.atomic():
        message = AppointmentMessage.objects.create(
            appointment=appointment, author=author, body=text
        )
        if from_patient:
            recipients = {appointment.dentist_id, *receptionist_ids()}
        else:
            recipients = {appointment.patient_id, appointment.dentist_id}
        recipients.discard(author.pk)
        notify(
            recipients=recipients,
            kind=APPOINTMENT_MESSAGE,
            params=message_params(
                appointment_summary(appointment),
                message_id=message.pk,
                author_id=author.pk,
                author_name=author.display_name,
                text=text,
                created_at=message.created_at,
            ),
        )
        inbox_publish_message(message=message)
    return message
