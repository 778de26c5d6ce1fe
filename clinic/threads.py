"""Reads of the staff's messages inbox: every appointment thread a staff member may see
(clinic.access.appointments_visible_to), newest message first, with the count of messages they
have not read (clinic.models.ThreadRead). Call inside the tenant's schema.

A row carries no text in a language: the inbox topic sends rows too, and the page writes the
times itself (window.aviso.format, as the `clinic_when` filter writes them)."""

from typing import TypedDict

from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from clinic.access import appointments_visible_to
from clinic.models import Appointment, AppointmentMessage, ThreadRead
from clinic.selectors import appointment_url

# How much of the last message a row shows; the thread itself is on the appointment's page.
EXCERPT = 120
# The inbox lists this many threads (the most recent); older ones are on their appointments.
INBOX_LIMIT = 100


class ThreadRow(TypedDict):
    appointment_id: int
    url: str
    patient_name: str
    dentist_name: str
    type_name: str
    state: str
    starts_at: str  # ISO
    message_id: int  # the last message
    author_name: str
    from_patient: bool
    excerpt: str
    last_at: str  # ISO, the last message's time
    unread: int  # for the reader the row was built for


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _row(appointment: Appointment, last: AppointmentMessage, unread: int) -> ThreadRow:
    return {
        "appointment_id": appointment.pk,
        "url": appointment_url(appointment.pk) + "#thread",
        "patient_name": appointment.patient.display_name,
        "dentist_name": appointment.dentist.display_name,
        "type_name": appointment.type.name,
        "state": appointment.state,
        "starts_at": appointment.starts_at.isoformat(),
        "message_id": last.pk,
        "author_name": last.author.display_name,
        "from_patient": last.author_id == appointment.patient_id,
        "excerpt": excerpt(last.body),
        "last_at": last.created_at.isoformat(),
        "unread": unread,
    }


def _unread_filter(reader: User) -> Q:
    return Q(messages__pk__gt=F("read_up_to")) & ~Q(messages__author=reader)


def inbox_threads(*, reader: User) -> tuple[list[ThreadRow], int]:
    """The reader's threads (INBOX_LIMIT of them), newest message first, and how many threads
    they may see in all."""
    marker = ThreadRead.objects.filter(user=reader, appointment=OuterRef("pk")).values(
        "last_read_id"
    )[:1]
    last = (
        AppointmentMessage.objects.filter(appointment=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    threads = (
        appointments_visible_to(reader)
        .filter(messages__isnull=False)
        .annotate(read_up_to=Coalesce(Subquery(marker), 0))
        .annotate(
            last_at=Max("messages__created_at"),
            unread=Count("messages", filter=_unread_filter(reader)),
            last_id=Subquery(last),
        )
        .select_related("patient", "dentist", "type")
        .order_by("-last_at", "-pk")
    )
    total = appointments_visible_to(reader).filter(messages__isnull=False).distinct().count()
    shown = list(threads[:INBOX_LIMIT])
    lasts = AppointmentMessage.objects.select_related("author").in_bulk([a.last_id for a in shown])
    rows = [_row(a, lasts[a.last_id], a.unread) for a in shown]
    return rows, total


def unread_total(*, reader: User) -> int:
    """Every message of the reader's threads they have not read (the nav's badge)."""
    marker = ThreadRead.objects.filter(user=reader, appointment=OuterRef("pk")).values(
        "last_read_id"
    )[:1]
    return (
        appointments_visible_to(reader)
        .annotate(read_up_to=Coalesce(Subquery(marker), 0))
        .aggregate(n=Count("messages", filter=_unread_filter(reader)))["n"]
        or 0
    )


def thread_rows_for(*, appointment: Appointment, readers: set[int]) -> dict[int, ThreadRow]:
    """The appointment's inbox row as each of `readers` sees it (their own unread count)."""
    messages = list(
        AppointmentMessage.objects.filter(appointment=appointment)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    if not messages:
        return {}
    read = dict(
        ThreadRead.objects.filter(appointment=appointment, user_id__in=readers).values_list(
            "user_id", "last_read_id"
        )
    )
    return {
        reader: _row(
            appointment,
            messages[-1],
            sum(1 for m in messages if m.pk > read.get(reader, 0) and m.author_id != reader),
        )
        for reader in readers
    }


def thread_last_id(*, appointment: Appointment) -> int:
    """The newest message's id (0 for a thread with none)."""
    return (
        AppointmentMessage.objects.filter(appointment=appointment).aggregate(n=Max("pk"))["n"] or 0
    )
