from django.conf import settings
from django.db import models
from django.utils import timezone


class Inbox(models.Model):
    """Per-recipient sequence counter. Locking this row while notifying serialises a
    recipient's notifications, so their `seq` order is also their commit order and a client
    resuming "after seq N" can never skip one that committed late."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="inbox"
    )
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"inbox of {self.user_id} at {self.last_seq}"


class Notification(models.Model):
    """The durable record of one notification to one person; Redis only carries copies."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    seq = models.BigIntegerField()
    type = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recipient", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "seq"], name="notification_recipient_seq"),
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq} to {self.recipient_id}"


class NotificationPreference(models.Model):
    """A user's choice of e-mail copies for one notification family (realtime.families); no
    row means the family's default. In-app delivery is always on: only the copy is chosen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    family = models.CharField(max_length=32)
    email_copy = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "family"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.family} e-mail {'on' if self.email_copy else 'off'} for {self.user_id}"
