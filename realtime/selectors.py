"""Reads of notifications and of who is online (sync; consumers call them through
tenant_db)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import STAFF_ROLES
from realtime.catalogue import render
from realtime.families import Family
from realtime.models import Inbox, Notification, NotificationPreference

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


def notification_last_seqs(*, user_ids: list[int]) -> dict[int, int]:
    """{user id: last seq} of these users' inboxes (users without one are absent): one query
    for every socket of a tenant on a process (realtime.hub's cursor check)."""
    return dict(Inbox.objects.filter(user_id__in=user_ids).values_list("user_id", "last_seq"))


def notification_unread_count(*, user: User | int) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).order_by("-seq")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


@dataclass(frozen=True)
class OnlinePerson:
    id: int
    name: str
    role: str
    role_label: str


def online_people(*, user_ids: list[int], staff_only: bool = True) -> list[OnlinePerson]:
    """The current schema's users among `user_ids` (from realtime.presence), for a staff page.
    Call inside the tenant's schema; ids of another schema simply find nobody here."""
    users = User.objects.filter(pk__in=user_ids, is_active=True)
    if staff_only:
        users = users.filter(role__in=STAFF_ROLES)
    return [
        OnlinePerson(id=u.pk, name=u.display_name, role=u.role, role_label=u.get_role_display())
        for u in users.order_by("role", "full_name", "email")
    ]


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


def inbox_rows(*, user: User, language: str, limit: int = INBOX_PAGE) -> list[InboxRow]:
    """The user's newest notifications, newest first, with title, body and link rendered
    through the catalogue (rows store parameters, never sentences) in `language` (the page's),
    times in the active time zone (the tenant's on its pages)."""
    rows = []
    for n in notification_list(user=user)[:limit]:
        shown = render(n.type, n.data, language=language)
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


def email_copy_choices(*, user: User | int, families: Iterable[Family]) -> dict[str, bool]:
    """{family key: whether `user` gets e-mail copies of it} for `families`: their own choice,
    else the family's default."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user).values_list("family", "email_copy")
    )
    return {family.key: chosen.get(family.key, family.email_copy) for family in families}


def email_copy_wanted(*, family: Family, user_ids: Iterable[int]) -> set[int]:
    """Which of `user_ids` get e-mail copies of `family` (one query)."""
    ids = set(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, family=family.key).values_list(
            "user_id", "email_copy"
        )
    )
    return {uid for uid in ids if chosen.get(uid, family.email_copy)}
