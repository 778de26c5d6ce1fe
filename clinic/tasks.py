from config.celery import app


@app.task
def appointment_reminders() -> int:
    """Beat runs this every 15 minutes in each clinic's schema (tenants.tasks fan-out)."""
    from clinic.services.reminders import reminders_send_due

    return reminders_send_due()


@app.task
def appointment_calendar_update(*, appointment_id: int) -> int:
    """The patient's calendar e-mail after their own change (clinic.services.calendar_updates),
    queued in the clinic's schema."""
    from clinic.services.calendar_updates import calendar_update_send

    return calendar_update_send(appointment_id=appointment_id)
