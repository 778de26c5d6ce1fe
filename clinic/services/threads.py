"""The staff's messages inbox: who has read a thread how far, and the live feed of each staff
member's inbox (the clinic.inbox topic, one per reader, since each carries that reader's own
unread counts). Live only, like the schedule: the page re-reads its rows on reconnect."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clinic.access import thread_watcher_ids
from clinic.models import Appointment, AppointmentMessage, ThreadRead
from clinic.threads import thread_last_id, thread_rows_for, unread_total
from realtime.topics import topic_publish_on_commit

INBOX_TOPIC = "clinic.inbox"


def thread_mark_read(*, appointment: Appointment, reader: User, up_to: int | None = None) -> int:
    """Mark the thread read by `reader` up to message `up_to` (the newest when None): a page
    that showed a message has been read to there. The marker never moves back (an older tab
    reporting late changes nothing). Returns the marker; the reader's open inboxes clear the
    thread's count."""
    newest = thread_last_id(appointment=appointment)
    target = newest if up_to is None else min(up_to, newest)
    if target == 0:
        return 0
    with transaction.atomic():
        marker, moved = _advance(reader_id=reader.pk, appointment=appointment, to=target)
        if not moved:  # read this far already
            return marker
        rows = thread_rows_for(appointment=appointment, readers={reader.pk})
        topic_publish_on_commit(
            topic=INBOX_TOPIC,
            object_id=reader.pk,
            event={
                "type": "thread.read",
                "thread": rows[reader.pk],
                "total": unread_total(reader=reader),
            },
        )
    return target


def _advance(*, reader_id: int, appointment: Appointment, to: int) -> tuple[int, bool]:
    """Move the reader's marker forward to message `to`, never back (two tabs, a late report);
    returns the marker as it is now and whether it moved. Call inside a transaction."""
    marker, _ = ThreadRead.objects.select_for_update().get_or_create(
        user_id=reader_id, appointment=appointment
    )
    if marker.last_read_id >= to:
        return marker.last_read_id, False
    marker.last_read_id, marker.read_at = to, timezone.now()
    marker.save(update_fields=["last_read_id", "read_at"])
    return to, True


def inbox_publish_message(*, message: AppointmentMessage) -> None:
    """Each staff member whose inbox lists the thread sees it move to the top with their own
    unread count (the author's stays as it was: writing is reading up to one's own message).
    Call inside the transaction that stored the message."""
    appointment = message.appointment
    _advance(reader_id=message.author_id, appointment=appointment, to=message.pk)
    watchers = User.objects.filter(pk__in=thread_watcher_ids(appointment))
    rows = thread_rows_for(appointment=appointment, readers={w.pk for w in watchers})
    for watcher in watchers:
        topic_publish_on_commit(
            topic=INBOX_TOPIC,
            object_id=watcher.pk,
            event={
                "type": "thread.changed",
                "thread": rows[watcher.pk],
                # Their unread messages over all their threads (the nav's number).
                "total": unread_total(reader=watcher),
            },
        )
