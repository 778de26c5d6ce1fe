from config.celery import app


@app.task
def appointment_reminders() -> int:
    """Beat runs this every 15 minutes in each clinic's schema (tenants.tasks fan-out)."""
    from clinic.services.reminders import reminders_send_due

    return reminders_send_due()
