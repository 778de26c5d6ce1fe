"""Writes of notifications. School and clinic services call `notify` inside the transaction
that makes the change; the rows commit with it and the live copies leave after commit.

A notification is shown in its reader's language (accounts.language.language_for) with times
in the tenant's zone: `notification_payload(n, language=...)` for the sockets and replay,
`recipient_locale(user)` around an e-mail copy."""

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import known_language, language_for, tenant_language
from accounts.models import User
from realtime import metrics
from realtime.catalogue import (
    CatalogueError,
    NotificationType,
    check_params,
    lookup,
    render_for,
)
from realtime.events import NotificationBatchEvent, NotificationPayload, send_on_commit
from realtime.families import family_get
from realtime.groups import tenant_group, user_group
from realtime.models import Inbox, Notification, NotificationPreference
from realtime.read_hooks import read_hooked_types, read_hooks_run
from realtime.tasks import notification_email_copies as notification_email_copies_task
from tenants.clock import tenant_zone
from tenants.db import current_schema_name, is_public_schema
from tenants.selectors import current_tenant
from tenants.tasks import enqueue_for_tenant

NOTIFICATION_TYPE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
MAX_DATA_BYTES = 8 * 1024


P = TypeVar("P", bound=Mapping[str, Any])


class NotificationError(ValueError):
    pass


def notification_payload(notification: Notification, *, language: str) -> NotificationPayload:
    """A notification as the client sees it (live and on replay alike): its parameters plus
    the title, body and link rendered from them now, in `language`, with times in the current
    tenant's zone. Call inside the tenant's schema."""
    return payload_of(
        seq=notification.seq,
        type_name=notification.type,
        data=notification.data,
        created_at=notification.created_at,
        read_at=notification.read_at,
        language=language,
        zone=tenant_zone(),
    )


def payload_of(
    *,
    seq: int,
    type_name: str,
    data: Mapping[str, Any],
    created_at: datetime,
    read_at: datetime | None,
    language: str,
    zone: tzinfo,
) -> NotificationPayload:
    """The payload's one shape, from a notification's columns (realtime.socket_sql reads them
    without the ORM)."""
    return {
        "seq": seq,
        "type": type_name,
        "data": render_for(language, type_name, data, zone=zone),
        "created_at": created_at.isoformat(),
        "read": read_at is not None,
    }


@contextmanager
def recipient_locale(user: User) -> Iterator[str]:
    """`with recipient_locale(recipient) as language:` around whatever writes to `recipient`
    away from their browser (an e-mail copy of a notification, a reminder): their language and
    the current tenant's time zone are active inside. Call inside the tenant's schema."""
    tenant = current_tenant()
    language = language_for(user, tenant)
    with translation.override(language), timezone.override(tenant_zone(tenant)):
        yield language


def current_schema() -> str:
    schema = current_schema_name()
    if is_public_schema(schema):
        raise NotificationError("notifications belong to a tenant; no tenant schema is active")
    return schema


def notify(
    *, recipients: Iterable[User | int], kind: NotificationType[P], params: P
) -> list[Notification]:
    """Record one notification per recipient and publish each after commit.

    `kind` is a type declared in the catalogue (`<app>/notifications.py`); `params` must match
    its declaration exactly. The row stores the parameters; title, body and link are rendered
    from them whenever the notification is shown.
    """
    if not NOTIFICATION_TYPE.match(kind.type):
        raise NotificationError(f"notification type must be dotted lower case, not {kind.type!r}")
    try:
        if lookup(kind.type) is not kind:
            raise CatalogueError(f"{kind.type} is registered as another declaration")
    except CatalogueError as exc:
        raise NotificationError(str(exc)) from None
    encoded = DjangoJSONEncoder().encode(params)
    if len(encoded) > MAX_DATA_BYTES:
        raise NotificationError(f"notification data is {len(encoded)} bytes; the limit is 8 KiB")
    # Stored as the client will see it (dates as ISO strings), so replay equals live.
    plain_data = json.loads(encoded)
    try:
        check_params(kind, plain_data)
    except CatalogueError as exc:
        raise NotificationError(str(exc)) from None
    user_ids = sorted({r.pk if isinstance(r, User) else int(r) for r in recipients})
    if not user_ids:
        return []
    schema = current_schema()
    with transaction.atomic():
        Inbox.objects.bulk_create([Inbox(user_id=uid) for uid in user_ids], ignore_conflicts=True)
        # Lock in id order so two concurrent notifies to overlapping people cannot deadlock.
        inboxes = Inbox.objects.filter(user_id__in=user_ids)
        list(inboxes.select_for_update().order_by("user_id").values_list("user_id", flat=True))
        # Then one UPDATE moves every counter and one SELECT reads them back (rows locked by
        # us): bulk_update would compile a CASE of one arm per recipient, which took most of
        # a 1,000-recipient announcement's time (bench/announcements.py).
        inboxes.update(last_seq=F("last_seq") + 1)
        seqs = sorted(inboxes.values_list("user_id", "last_seq"))
        now = timezone.now()
        notifications = [
            Notification(
                recipient_id=user_id,
                seq=seq,
                type=kind.type,
                data=plain_data,
                created_at=now,
            )
            for user_id, seq in seqs
        ]
        Notification.objects.bulk_create(notifications)
        metrics.count_on_commit(metrics.CREATED, schema=schema, amount=len(notifications))
        # One message for everyone: rendered here once per language among the recipients
        # (rendering may read the tenant, e.g. its time zone), and each process's hub hands
        # each of its own sockets its copy in its reader's language (realtime.hub), instead
        # of one group_send per person.
        tenant = current_tenant()
        languages = recipient_languages(user_ids=user_ids, tenant=tenant)
        zone = tenant_zone(tenant)
        created_at = now.isoformat()
        batch: NotificationBatchEvent = {
            "type": "notifications",
            "kind": kind.type,
            "data": {
                language: render_for(language, kind.type, plain_data, zone=zone)
                for language in sorted(set(languages.values()))
            },
            "created_at": created_at,
            "recipients": [
                (n.recipient_id, n.seq, languages[n.recipient_id]) for n in notifications
            ],
        }
        send_on_commit(messages=[(tenant_group(schema_name=schema), batch)])
        if kind.email_copy:
            _email_copies_on_commit(schema=schema, notifications=notifications)
    return notifications


def _email_copies_on_commit(*, schema: str, notifications: list[Notification]) -> None:
    """Queue the e-mail copies (realtime.email_copies) once the rows are committed; the task
    decides who wants one, so notify itself reads no preferences."""
    ids = [n.pk for n in notifications]
    transaction.on_commit(
        lambda: enqueue_for_tenant(
            notification_email_copies_task, schema_name=schema, notification_ids=ids
        ),
        robust=True,
    )


def notification_preference_set(*, user: User, family: str, email_copy: bool) -> None:
    """Save whether `user` gets e-mail copies of `family` (a key of realtime.families)."""
    if family_get(family) is None:
        raise ValidationError({"family": _("There is no such kind of notification.")})
    NotificationPreference.objects.update_or_create(
        user=user, family=family, defaults={"email_copy": email_copy}
    )


def recipient_languages(*, user_ids: list[int], tenant: Any) -> dict[int, str]:
    """{user id: the language they read} (accounts.language.language_for) in one query."""
    chosen = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "language"))
    default = tenant_language(tenant)
    return {uid: known_language(chosen.get(uid)) or default for uid in user_ids}


def live_payload(batch: dict[str, Any], *, seq: int, language: str) -> NotificationPayload:
    """One recipient's copy of a notify batch, as notification_payload gives it on replay."""
    return {
        "seq": seq,
        "type": batch["kind"],
        "data": batch["data"][language],
        "created_at": batch["created_at"],
        "read": False,
    }


def _publish_unread(*, user: User) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    group = user_group(schema_name=current_schema(), user_id=user.pk)
    send_on_commit(messages=[(group, {"type": "inbox.unread", "unread": unread})])
    return unread


def _hooked_rows_turning_read(unread: Any) -> list[Notification]:
    """The rows of `unread` whose type an app hears reads of (realtime.read_hooks), locked so
    that two marks of one row hear it once. One cheap query, and none without hooks."""
    hooked = read_hooked_types()
    if not hooked:
        return []
    return list(unread.filter(type__in=hooked).select_for_update().only("pk", "type", "data"))


def notification_mark_read(*, user: User, seq: int) -> int:
    """Mark one notification read (a no-op if it is read or unknown); returns the unread
    count, which every open socket of the user also receives."""
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=user, seq=seq, read_at__isnull=True)
        turning = _hooked_rows_turning_read(unread)
        unread.update(read_at=timezone.now())
        read_hooks_run(user=user, notifications=turning)
        return _publish_unread(user=user)


def notification_mark_all_read(*, user: User) -> int:
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
        turning = _hooked_rows_turning_read(unread)
        unread.update(read_at=timezone.now())
        read_hooks_run(user=user, notifications=turning)
        return _publish_unread(user=user)
