"""A clinic user who reads Spanish gets the clinic in Mexican Spanish, with day/month/year dates
and 24-hour times; someone of the same clinic who reads English keeps English. Notifications
are rendered in their recipient's language when shown, the reminder e-mail too."""

import html
import json
import re
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from accounts.models import User
from clinic.models import AppointmentState, Chair, ClinicSettings
from clinic.services import appointments, messages, reminders
from realtime.models import Notification
from realtime.services import notification_payload
from tenants.models import Tenant
from tests.clinic.factories import (
    USER_HAS_LANGUAGE,
    Clinic,
    make_appointment,
    reading,
    slot,
)
from tests.factories import client_for

pytestmark = pytest.mark.django_db
S = AppointmentState
WEEKDAYS = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo")
SPANISH_STATES = {
    "requested": "Solicitada",
    "confirmed": "Confirmada",
    "declined": "Rechazada",
    "cancelled": "Cancelada",
    "rescheduled": "Reprogramada",
    "completed": "Completada",
    "no_show": "No asistió",
    "proposed": "Nuevo horario propuesto",
    "withdrawn": "Retirada",
}
RANGE = "\u2013"  # the en dash between two times


def visible(response: Any) -> str:
    """The text a person reads on the page: no tags, no scripts, whitespace collapsed."""
    text: str = response.content.decode()
    text = re.sub(r"<script\b.*?</script>|<template\b.*?</template>", " ", text, flags=re.S)
    # Inline elements join their neighbours; the others (cells, items, headings) part them.
    text = re.sub(r"</?(?:a|span|strong|small|time|em|b|label)\b[^>]*>", "", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text)


def state_labels(response: Any) -> dict[str, str]:
    """The state labels a page sends its script (drawn for states that arrive live)."""
    found = re.search(
        r'<script id="clinic-state-labels" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    assert found, "the page sends no state labels"
    labels: dict[str, str] = json.loads(found.group(1))
    return labels


def dmy(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def test_the_front_desk_reads_its_dashboard_and_schedules_in_spanish(
    c: Clinic, clinic: Tenant
) -> None:
    # given a confirmed appointment today and a request for another day
    with tenant_context(clinic):
        make_appointment(c, starts_at=slot(days=0, hour=12))
        request = make_appointment(c, starts_at=slot(hour=10), state=S.REQUESTED)
    client = client_for(clinic, c.receptionist)
    # when the receptionist, who reads Spanish, opens the dashboard and the dentist's schedule
    with reading(clinic, c.receptionist, "es-mx"):
        dashboard = visible(client.get("/clinic/"))
        response = client.get(f"/clinic/schedule/?dentist={c.dentist.pk}&date={slot().date()}")
    schedule = visible(response)
    # then both read in Spanish, with the clinic's times in 24 hours
    assert "Te damos la bienvenida, Front Desk" in dashboard
    assert "Resumen Agenda Solicitudes" in dashboard  # the navigation
    assert "1 solicitud pendiente" in dashboard
    assert f"Hoy 12:00{RANGE}12:30 Pat One · Check-up · Dr. Able · Chair 1 Confirmada" in dashboard
    assert "Agendas" in dashboard and "(semana)" in dashboard
    for english in ("Welcome", "pending request", "Today", "Schedules", "Confirmed"):
        assert english not in dashboard
    day = slot().date()
    assert "Agenda de Dr. Able" in schedule
    assert f"{WEEKDAYS[day.weekday()]} {dmy(day)}" in schedule
    assert f"10:00{RANGE}10:30 Pat One · Check-up · Chair 1 Solicitada" in schedule
    assert f"Solicitudes pendientes de Dr. Able {dmy(day)} 10:00 Pat One" in schedule
    # the request's buttons (confirm and decline behind a confirmation step), and the decline
    # reason with a label of its own
    page = response.content.decode()
    for step in ("Confirmar", "Rechazar"):
        assert f"<summary>{step}</summary>" in page
    for button in ("Sí, confirmar", "Sí, rechazar", "Proponer horario"):
        assert f'<button type="submit">{button}</button>' in page
    assert (
        "<label>Motivo del rechazo (opcional; el paciente lo lee) "
        '<input name="reason" maxlength="300"></label>'
    ) in page
    assert '<label>Otro horario <input type="datetime-local" name="starts_at" required>' in page
    assert f"/clinic/appointments/{request.pk}/decline/" in page
    # and the states a live update may bring are labelled in Spanish too
    assert state_labels(response) == SPANISH_STATES


def test_a_dentist_reads_their_day_in_spanish(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        make_appointment(c, starts_at=slot(hour=9))
    client = client_for(clinic, c.dentist)
    with reading(clinic, c.dentist, "es-mx"):
        response = client.get(f"/clinic/schedule/?date={slot().date()}")
    day = visible(response)
    assert "Agenda de Dr. Able" in day
    assert f"09:00{RANGE}09:30 Pat One · Check-up · Chair 1 Confirmada" in day
    assert "Ninguna." in day  # no pending requests
    page = response.content.decode()
    for button in ("Completada", "Reprogramar", "Sí, marcar como inasistencia", "Sí, cancelar"):
        assert f'<button type="submit">{button}</button>' in page
    # (no-show and cancel ask first)
    for step in ("No asistió", "Cancelar"):
        assert f"<summary>{step}</summary>" in page
    assert '<label>Nuevo horario <input type="datetime-local" name="starts_at" required>' in page
    for english in ("Schedule of", "Pending requests", "Confirmed", "No-show"):
        assert english not in day


def test_a_patient_reads_their_appointments_in_spanish(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, starts_at=slot(hour=10))
        ClinicSettings.objects.filter(pk=1).update(cancellation_cutoff_hours=1)
    client = client_for(clinic, c.patient)
    with reading(clinic, c.patient, "es-mx"):
        mine = client.get("/clinic/appointments/")
        one = visible(client.get(f"/clinic/appointments/{a.pk}/"))
        dashboard = visible(client.get("/clinic/"))
    listed = visible(mine)
    assert "Mis citas" in listed and "Agendar otra" in listed
    assert "Fecha y hora Tipo de cita Dentista Estado" in listed
    assert f"{dmy(slot().date())} 10:00{RANGE}10:30 Check-up Dr. Able Confirmada Cancelar" in listed
    assert state_labels(mine) == SPANISH_STATES
    assert f"Check-up — {dmy(slot().date())} 10:00{RANGE}10:30" in one
    assert "Paciente: Pat One · Dentista: Dr. Able · Sillón: Chair 1 · Confirmada" in one
    assert "Cancelar esta cita" in one
    assert "La cancelación en línea cierra 1 hora antes del inicio." in one  # singular
    assert "Mensajes Aún no hay mensajes." in one and "Mensaje Enviar" in one
    assert "Tus próximas citas" in dashboard and "Check-up con Dr. Able" in dashboard
    for english in ("My appointments", "Status", "Cancel this appointment", "No messages"):
        assert english not in listed + one


def test_an_english_reader_of_the_same_clinic_keeps_english(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c, patient=c.patient2, starts_at=slot(hour=10))
    client = client_for(clinic, c.patient2)
    with reading(clinic, c.patient2, "en"):
        listed = visible(client.get("/clinic/appointments/"))
        one = visible(client.get(f"/clinic/appointments/{a.pk}/"))
    assert "My appointments" in listed and "When What Dentist Status" in listed
    assert "Confirmed" in listed and "Confirmada" not in listed
    assert "Online cancellation closes 24 hours before the start." in one


def test_a_refused_booking_explains_itself_in_spanish(c: Clinic, clinic: Tenant) -> None:
    # given the only chair left taken at 10:00 by the other dentist
    with tenant_context(clinic):
        Chair.objects.filter(pk=c.chairs[1].pk).update(is_active=False)
        make_appointment(c, dentist=c.dentist2, patient=c.patient2, starts_at=slot(hour=10))
    client = client_for(clinic, c.patient)
    with reading(clinic, c.patient, "es-mx"):
        response = client.post(
            "/clinic/book/",
            {"dentist": c.dentist.pk, "type": c.checkup.pk, "starts_at": slot().isoformat()},
        )
    assert response.status_code == 409
    assert (
        f"Todos los sillones están ocupados el {dmy(slot().date())} 10:00{RANGE}10:30; "
        "elige otro horario." in visible(response)
    )


def _shown(tenant: Tenant, notification: Notification, language: str) -> dict[str, str]:
    with reading(tenant, notification.recipient, language):
        data: dict[str, str] = notification_payload(notification, language=language)["data"]
    return data


def test_notifications_read_in_their_recipients_language(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        # given a confirmation for the patient, who reads Spanish
        a = appointments.appointment_confirm(
            appointment=make_appointment(c, starts_at=slot(hour=10), state=S.REQUESTED),
            by=c.receptionist,
        )
        confirmed = Notification.objects.get(type="appointment.confirmed")
        # and a message of the patient's to the dentist (Spanish) and the front desk (English)
        messages.appointment_message_post(appointment=a, author=c.patient, body="¿Llego tarde?")
        to_dentist = Notification.objects.get(type="appointment.message", recipient=c.dentist)
        to_desk = Notification.objects.get(type="appointment.message", recipient=c.receptionist)
        # when each is shown to its recipient
        shown = _shown(clinic, confirmed, "es-mx")
        dentist_reads = _shown(clinic, to_dentist, "es-mx")
        desk_reads = _shown(clinic, to_desk, "en")
    when = f"{dmy(slot().date())} 10:00{RANGE}10:30"
    # then the patient reads Spanish, the times as Mexico writes them
    assert shown["title"] == "Cita confirmada"
    assert shown["body"] == f"Tu cita de Check-up con Dr. Able el {when} está confirmada."
    assert (shown["when"], shown["state_label"]) == (when, "Confirmada")
    # and the same message reads in each recipient's own language
    assert dentist_reads["title"] == "Mensaje de Pat One"
    assert desk_reads["title"] == "Message from Pat One"
    assert dentist_reads["state_label"] == "Confirmada" and desk_reads["state_label"] == "Confirmed"
    # while what is stored has no sentence in any language
    assert "title" not in confirmed.data and "body" not in confirmed.data


def test_a_declined_request_with_its_reason_reads_as_one_spanish_sentence(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        appointments.appointment_decline(
            appointment=make_appointment(c, starts_at=slot(hour=10), state=S.REQUESTED),
            by=c.dentist,
            reason="Estaré fuera.",
        )
        shown = _shown(clinic, Notification.objects.get(), "es-mx")
    assert shown["title"] == "Solicitud de cita rechazada"
    assert shown["body"] == (
        f"Tu solicitud para el {dmy(slot().date())} 10:00 fue rechazada: Estaré fuera. "
        "Por favor, elige otro horario."
    )


@pytest.mark.skipif(not USER_HAS_LANGUAGE, reason="User.language comes with the i18n core")
def test_the_reminder_e_mail_is_in_the_patients_language(
    c: Clinic, clinic: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    # given a patient who reads Spanish (their own setting: the reminder run has no reader)
    with tenant_context(clinic):
        User.objects.filter(pk=c.patient.pk).update(**{"language": "es-mx"})
        make_appointment(c, starts_at=slot(days=1, hour=10))
        mail.outbox.clear()
        # when the reminder run sends it, in no language of its own
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders.reminders_send_due(now=slot(days=0, hour=11)) == 1
    # then the e-mail is Spanish, its time as Mexico writes it
    [sent] = mail.outbox
    when = f"{dmy(slot(days=1).date())} 10:00{RANGE}10:30"
    assert sent.subject == f"Recordatorio: tu cita del {when}"
    assert sent.body == f"Hola, Pat One:\n\nRecordatorio: Check-up con Dr. Able el {when}.\n"
