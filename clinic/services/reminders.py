"""The reminder run: beat calls it in every clinic's schema (clinic.tasks)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from clinic.models import Appointment, AppointmentReminder
from clinic.notifications import APPOINTMENT_REMINDER, appointment_params
from clinic.selectors import appointment_summary, clinic_settings_get
from clinic.states import AppointmentState
from realtime.services import notify, recipient_locale


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Remind patients of confirmed appointments starting within the lead time, each once.

    The reminder row (unique per appointment) commits with the notification, so a rerun, an
    overlapping worker or a redelivered task finds it and sends nothing twice."""
    now = now or timezone.now()
    lead = timedelta(hours=clinic_settings_get().reminder_lead_hours)
    due = list(
        Appointment.objects.filter(
            state=AppointmentState.CONFIRMED,
            starts_at__gt=now,
            starts_at__lte=now + lead,
            reminder__isnull=True,
        )
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("patient", "dentist", "chair", "type")
                .filter(pk=pk, state=AppointmentState.CONFIRMED)
                .first()
            )
            if appointment is None:
                continue  # another worker holds it, or it changed meanwhile
            _, created = AppointmentReminder.objects.get_or_create(
                appointment=appointment, defaults={"sent_at": now}
            )
            if not created:
                continue
            params = appointment_params(appointment_summary(appointment))
            notify(recipients=[appointment.patient_id], kind=APPOINTMENT_REMINDER, params=params)
            # The e-mail reads as the notification does: the same renderer, the same params,
            # in the patient's language with times in the clinic's zone.
            patient = appointment.patient
            with recipient_locale(patient):
                shown = APPOINTMENT_REMINDER.render(params)
                subject = gettext("Reminder: your appointment %(when)s") % {
                    "when": shown.labels["when"]
                }
                greeting = gettext("Hello %(name)s,") % {"name": patient.display_name}
            _email_on_commit(patient, subject=subject, body=f"{greeting}\n\n{shown.body}\n")
            sent += 1
    return sent


def _email_on_commit(user: User, *, subject: str, body: str) -> None:
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]), robust=True
    )
