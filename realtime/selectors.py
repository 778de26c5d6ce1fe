"""Reads of notifications (sync; consumers call them through tenant_db)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from accounts.models import User
from realtime.catalogue import render
from realtime.models import Inbox, Notification

# How many notifications one replay page carries (the socket sends page after page until a
# short one). Protocol-visible: clients see replays arrive in pages of this size.
REPLAY_PAGE = 200
# How many of the newest notifications the inbox page lists.
INBOX_PAGE = 200


def notifications_after(*, user: User | int, after_seq: int) -> list[Notification]:
    """The recipient's notifications with seq > after_seq, oldest first: one replay page."""
    return list(
        Notification.objects.filter(recipient=user, seq__gt=after_seq).order_by("seq")[:REPLAY_PAGE]
    )


def notification_last_seq(*, user: User | int) -> int:
    inbox = Inbox.objects.filter(user=user).values_list("last_seq", flat=True).first()
    return inbox or 0


def notification_unread_count(*, user: User | int) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).order_by("-seq")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


@dataclass(frozen=True)
class InboxRow:
    """One notification as the inbox page shows it: rendered now from its parameters."""

    seq: int
    type: str
    title: str
    body: str
    url: str
    created_at: datetime
    read: bool


def inbox_rows(*, user: User, limit: int = INBOX_PAGE) -> list[InboxRow]:
    """The user's newest notifications, newest first, with title, body and link rendered
    through the catalogue (rows store parameters, never sentences)."""
    rows = []
    for n in notification_list(user=user)[:limit]:
        shown = render(n.type, n.data)
        rows.append(
            InboxRow(
                seq=n.seq,
                type=n.type,
                title=shown.title,
                body=shown.body,
                url=shown.url,
                created_at=n.created_at,
                read=n.read_at is not None,
            )
        )
    return rows
