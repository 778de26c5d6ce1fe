"""The patient's calendar after their own change. The clinic's changes reach the patient as
notifications whose e-mail copies carry the calendar file (clinic.invitations); a change the
patient makes themselves (accepting a proposed time, cancelling) is told only to the other
side, so this e-mail, with the same file, is how the patient's calendar follows it.

It goes to whoever gets e-mail copies of appointments (the family's choice on their account
page), like the copies, and describes the appointment as it is when the e-mail is written:
a confirmed one as an invitation, a cancelled one as its cancellation."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.clock import when_label
from clinic.invitations import invitation_part
from clinic.models import Appointment
from clinic.selectors import appointment_url
from clinic.states import AppointmentState
from clinic.tasks import appointment_calendar_update as appointment_calendar_update_task
from realtime.families import APPOINTMENTS
from realtime.selectors import email_copy_wanted
from realtime.services import recipient_locale
from tenants.db import current_schema_name
from tenants.selectors import current_tenant, tenant_base_url
from tenants.tasks import enqueue_for_tenant

S = AppointmentState


def calendar_update_on_commit(*, appointment: Appointment) -> None:
    """Queue the patient's calendar e-mail for `appointment` once the change is committed."""
    schema, pk = current_schema_name(), appointment.pk
    transaction.on_commit(
        lambda: enqueue_for_tenant(
            appointment_calendar_update_task, schema_name=schema, appointment_id=pk
        ),
        robust=True,
    )


def calendar_update_send(*, appointment_id: int) -> int:
    """E-mail the patient the calendar file of the appointment as it is now; returns how many
    e-mails went out (0 when it is neither confirmed nor cancelled, or the patient gets no
    appointment e-mails). Call inside the tenant's schema."""
    appointment = (
        Appointment.objects.filter(pk=appointment_id, state__in=(S.CONFIRMED, S.CANCELLED))
        .select_related("patient", "dentist", "type")
        .first()
    )
    if appointment is None:
        return 0
    patient = appointment.patient
    wanted = email_copy_wanted(family=APPOINTMENTS, user_ids=[patient.pk])
    if not patient.is_active or patient.pk not in wanted:
        return 0
    cancelled = appointment.state == S.CANCELLED
    tenant = current_tenant()
    base_url = tenant_base_url(tenant=tenant)
    with recipient_locale(patient):
        what = {
            "kind": appointment.type.name,
            "dentist": appointment.dentist.display_name,
            "when": when_label(appointment.starts_at, appointment.ends_at),
        }
        if cancelled:
            title = _("Appointment cancelled")
            text = _(
                "You cancelled %(kind)s with %(dentist)s on %(when)s. The attached file takes "
                "it out of your calendar."
            )
        else:
            title = _("Appointment confirmed")
            text = _(
                "%(kind)s with %(dentist)s on %(when)s is confirmed. The attached invitation "
                "puts it in your calendar."
            )
        paragraphs = [
            _("Hello %(name)s,") % {"name": patient.display_name},
            text % what,
            base_url + appointment_url(appointment.pk),
            _(
                "You get this e-mail because e-mail copies of “%(family)s” are on for "
                "your account at %(site)s. Change it here: %(preferences)s"
            )
            % {
                "family": APPOINTMENTS.label,
                "site": tenant.name,
                "preferences": base_url + reverse("people:account_notifications"),
            },
        ]
        part = invitation_part(
            appointment=appointment,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            cancelled=cancelled,
            stamp=timezone.now(),
        )
    message = EmailMessage(
        f"{tenant.name}: {title}",
        "\n\n".join(paragraphs) + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [patient.email],
    )
    message.attach(part)
    message.send()
    return 1
