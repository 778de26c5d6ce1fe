"""What the clinic's services share: the schedule topic, the locked read of an appointment and
the publishing of a change to the schedule's watchers."""

from clinic.models import Appointment
from clinic.selectors import AppointmentSummary
from realtime.topics import topic_publish_on_commit

SCHEDULE_TOPIC = "clinic.schedule"


def locked(appointment: Appointment) -> Appointment:
    """The current row, locked: two people acting on one appointment take turns."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "dentist", "chair", "type")
        .get(pk=appointment.pk)
    )


def publish_change(summary: AppointmentSummary, change: str) -> None:
    """Tell the watchers of the dentist's schedule, after commit (live only: pages re-read the
    schedule on reconnect)."""
    topic_publish_on_commit(
        topic=SCHEDULE_TOPIC,
        object_id=summary["dentist_id"],
        event={"type": "appointment.changed", "change": change, "appointment": summary},
    )
