"""Writes of announcements: an administrator or a teacher sends one to an audience
(school.selectors_announcements), and each recipient's reading of it is counted once.

Sending is one transaction: the announcement, one notification per recipient through ONE
`notify` call (bulk rows, one batch message that each process's hub fans out to its own
sockets: realtime.hub) and the recipient rows linking each person to their notification.
Reading is counted from two doors, the announcement's page and the inbox's "mark read",
both through `_reads_record`, which turns a recipient's row read at most once and then moves
the counter by one and tells the author's page (topic school.announcement)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from realtime.models import Notification
from realtime.services import notification_mark_read, notify
from realtime.topics import topic_publish_on_commit
from school import access
from school.models import Announcement, AnnouncementReach, AnnouncementRecipient
from school.notifications import ANNOUNCEMENT_PUBLISHED, announcement_params
from school.payloads import ANNOUNCEMENT_TOPIC
from school.selectors_announcements import (
    Audience,
    announcement_read_state,
    audience_recipient_ids,
)

TITLE_MAX = 120
BODY_MAX = 5000


def _audience_key(audience: Audience) -> str:
    if audience.group is not None:
        return str(audience.group.pk)
    if audience.course is not None:
        return str(audience.course.pk)
    return audience.level


def announcement_send(
    *, author: User, title: str, body: str, audience: Audience, reach: str
) -> Announcement:
    """Send an announcement to everyone `audience` and `reach` name (the author excepted)."""
    # Views check this too; services re-check the actor for callers that are not views.
    try:
        access.access_audience(author, scope=audience.scope, key=_audience_key(audience))
    except Http404:
        raise PermissionDenied(
            gettext("You cannot send an announcement to that audience.")
        ) from None
    title, body = title.strip(), body.strip()
    errors = {}
    if not title:
        errors["title"] = gettext("Give the announcement a title.")
    if not body:
        errors["body"] = gettext("Write what you want to announce.")
    if reach not in AnnouncementReach.values:
        errors["reach"] = gettext("Choose who of the audience receives it.")
    if errors:
        raise ValidationError(errors)
    recipients = audience_recipient_ids(audience=audience, reach=reach, author=author)
    if not recipients:
        raise ValidationError(
            {"audience": gettext("Nobody would receive this: that audience has no one in it yet.")}
        )
    with transaction.atomic():
        announcement = Announcement.objects.create(
            author=author,
            title=title[:TITLE_MAX],
            body=body[:BODY_MAX],
            scope=audience.scope,
            reach=reach,
            level=audience.level,
            group=audience.group,
            course=audience.course,
            audience_name=audience.name,
            recipient_count=len(recipients),
        )
        notifications = notify(
            recipients=recipients,
            kind=ANNOUNCEMENT_PUBLISHED,
            params=announcement_params(announcement=announcement),
        )
        AnnouncementRecipient.objects.bulk_create(
            [
                AnnouncementRecipient(
                    announcement=announcement, user_id=n.recipient_id, notification=n
                )
                for n in notifications
            ],
            batch_size=1000,
        )
    return announcement


def announcement_open(*, announcement: Announcement, user: User) -> None:
    """`user` opened the announcement's page: for a recipient it is read, and so is the
    notification that brought it (their unread count drops on every open page)."""
    with transaction.atomic():
        receipt = AnnouncementRecipient.objects.filter(
            announcement=announcement, user=user, read_at__isnull=True
        ).first()
        if receipt is None:
            return
        seq = None
        if receipt.notification_id is not None:
            seq = (
                Notification.objects.filter(pk=receipt.notification_id, read_at__isnull=True)
                .values_list("seq", flat=True)
                .first()
            )
        if seq is not None:
            # The inbox's own service: its read hook (announcement_notifications_read) counts it.
            notification_mark_read(user=user, seq=seq)
        else:
            _reads_record(user=user, announcement_ids=[announcement.pk])


def announcement_notifications_read(user: User, notifications: list[Notification]) -> None:
    """The read hook of announcement.published (registered in SchoolConfig.ready): the inbox
    marked these notifications of `user` read."""
    announcement_ids = list(
        AnnouncementRecipient.objects.filter(
            notification__in=[n.pk for n in notifications], user=user, read_at__isnull=True
        ).values_list("announcement_id", flat=True)
    )
    _reads_record(user=user, announcement_ids=announcement_ids)


def _reads_record(*, user: User, announcement_ids: list[int]) -> None:
    now = timezone.now()
    for announcement_id in announcement_ids:
        turned = AnnouncementRecipient.objects.filter(
            announcement_id=announcement_id, user=user, read_at__isnull=True
        ).update(read_at=now)
        if not turned:
            continue  # read already (another tab, the other door): counted once
        Announcement.objects.filter(pk=announcement_id).update(read_count=F("read_count") + 1)
        state = announcement_read_state(announcement_id=announcement_id)
        topic_publish_on_commit(
            topic=ANNOUNCEMENT_TOPIC,
            object_id=announcement_id,
            event={"type": "announcement.read", **state},
        )
