# Stored invoice notifications carried the invoice's status label, an English sentence written
# when they were sent. The label is now rendered when a notification is shown, in its
# reader's language (school.notifications.INVOICE_LABELS): drop the stored copies so replays
# and the inbox never show the old English one.

from django.db import migrations

INVOICE_TYPES = (
    "invoice.issued",
    "invoice.cancelled",
    "invoice.overdue",
    "invoice.due_soon",
    "payment.recorded",
)


class Migration(migrations.Migration):
    dependencies = [
        ("school", "0001_initial"),
        ("realtime", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                (
                    "UPDATE realtime_notification SET data = data #- '{invoice,status_label}' "
                    "WHERE type = ANY(%s) AND data->'invoice' ? 'status_label'",
                    [list(INVOICE_TYPES)],
                )
            ],
            # The label is rendered when shown either way: nothing to put back.
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
