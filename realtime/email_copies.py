"""E-mail copies of notifications: after a notify commits, realtime.tasks sends each
recipient who wants one (their choice for the type's family, else the family's default;
realtime.families) an e-mail with the same title and body as their inbox shows, rendered
from the stored parameters in the recipient's language and the tenant's time zone.

Types that are e-mails already (reminders: NotificationType.email_copy False) are never
copied, and neither are notifications to deactivated users. A type may give the copy a file
(NotificationType.email_attachment: the clinic's calendar invitations)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import User
from realtime.catalogue import lookup, render
from realtime.models import Notification
from realtime.selectors import email_copy_wanted
from realtime.services import recipient_locale
from tenants.selectors import current_tenant, tenant_base_url


def email_copies_send(*, notification_ids: list[int]) -> int:
    """Send the copies of these notifications (one type, as one notify made them); returns
    how many e-mails went out. Call inside the tenant's schema."""
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids)
        .select_related("recipient")
        .order_by("pk")
    )
    if not notifications:
        return 0
    kind = lookup(notifications[0].type)
    if not kind.email_copy:
        return 0
    wanted = email_copy_wanted(family=kind.family, user_ids=[n.recipient_id for n in notifications])
    tenant = current_tenant()
    base_url = tenant_base_url(tenant=tenant)
    sent = 0
    for notification in notifications:
        recipient: User = notification.recipient
        if notification.recipient_id not in wanted or not recipient.is_active:
            continue
        with recipient_locale(recipient) as language:
            shown = render(notification.type, notification.data, language=language)
            link = base_url + shown.url if shown.url.startswith("/") else shown.url
            paragraphs = [
                gettext("Hello %(name)s,") % {"name": recipient.display_name},
                shown.body or shown.title,
                link,
                gettext(
                    "You get this e-mail because e-mail copies of “%(family)s” are on for "
                    "your account at %(site)s. Change it here: %(preferences)s"
                )
                % {
                    "family": kind.family.label,
                    "site": tenant.name,
                    "preferences": base_url + reverse("people:account_notifications"),
                },
            ]
            subject = f"{tenant.name}: {shown.title}"
            # Made in the recipient's language, like the text (a calendar invitation's title).
            attach = kind.email_attachment
            attachment = attach(notification.data, notification) if attach else None
        body = "\n\n".join(p for p in paragraphs if p) + "\n"
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
        if attachment is not None:
            message.attach(attachment)
        message.send()
        sent += 1
    return sent
