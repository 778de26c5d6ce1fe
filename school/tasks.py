from dataclasses import asdict

from config.celery import app
from school.services.reminders import invoices_daily_run


@app.task(acks_late=True)
def invoices_daily() -> dict[str, int]:
    """Beat queues this once per active school (tenants.tasks.fan_out_to_tenants); it runs in
    that school's schema, and a second run the same day sends nothing new."""
    return asdict(invoices_daily_run())


@app.task(acks_late=True)
def billing_run(*, run_id: int) -> str:
    """A billing run, queued by school.services.billing_runs.billing_run_start in the school's
    schema; a redelivered run bills no one twice."""
    from school.services.billing_runs import billing_run_execute

    return str(billing_run_execute(run_id=run_id).status)
