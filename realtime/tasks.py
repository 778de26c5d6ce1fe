from config.celery import app


@app.task
def notification_email_copies(*, notification_ids: list[int]) -> int:
    """E-mail copies of freshly committed notifications, in the tenant schema it was queued
    for (realtime.services.notify queues it after commit)."""
    from realtime.email_copies import email_copies_send

    return email_copies_send(notification_ids=notification_ids)
