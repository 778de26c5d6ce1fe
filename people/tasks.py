from config.celery import app


@app.task(acks_late=True)
def people_import(*, job_id: int) -> str:
    """A CSV import, queued by people.imports.services.import_start in the tenant's schema."""
    from people.imports.services import people_import_run

    return str(people_import_run(job_id=job_id).status)
