"""The Celery app. Tasks run in the schema named by the `_schema_name` header
(tenant-schemas-celery); use tenants.tasks.enqueue_for_tenant rather than .delay() so that
header never depends on which schema the calling thread happens to be in.

Every task retries, with exponential backoff, when the database cannot be reached
(DatabaseRetryTask): a PostgreSQL restart delays jobs, it does not fail them."""

import os
from typing import Any

from celery.exceptions import Retry
from celery.utils.time import get_exponential_backoff_interval
from django.db import connection
from django.urls import get_urlconf, set_urlconf
from tenant_schemas_celery.app import CeleryApp, get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask

from config.outage import DATABASE_OUTAGE_ERRORS, drop_broken_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class DatabaseRetryTask(TenantTask):
    """TenantTask that outlives a database outage, in the schema it was queued for."""

    abstract = True
    # Celery wraps each task's run() with these (celery.app.autoretry).
    autoretry_for = DATABASE_OUTAGE_ERRORS
    retry_backoff = 1  # seconds, doubling per attempt: 1, 2, 4 ... 60, 60, ...
    retry_backoff_max = 60
    # No jitter: Celery's is "full" jitter, which often draws 0 s for the first attempts and
    # spends them all in the first second of an outage.
    retry_jitter = False
    max_retries = 20  # about a quarter of an hour of outage before a task gives up

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        wanted = self.queued_schema()
        if getattr(connection, "schema_name", None) != wanted:
            # tenant-schemas-celery enters the schema in a task_prerun handler, whose errors
            # Celery only logs: with the database down its tenant lookup failed, and the task
            # would run in the wrong schema once the database is back. Come back later.
            drop_broken_connections()
            raise self.retry(countdown=self.backoff())
        # Links in what a task writes (notifications, e-mails) reverse against every tenant
        # URL (ROOT_URLCONF), whatever URLconf the thread's last request left behind: a thread
        # that served a school would not know the clinic's URLs.
        previous_urlconf = get_urlconf()
        set_urlconf(None)
        try:
            return super().__call__(*args, **kwargs)
        except DATABASE_OUTAGE_ERRORS:
            drop_broken_connections()  # the retry must connect afresh, not reuse a dead socket
            raise
        except Retry:
            drop_broken_connections()
            raise
        finally:
            set_urlconf(previous_urlconf)

    def backoff(self) -> int:
        """Seconds before the next attempt, as autoretry_for's own backoff counts them."""
        return get_exponential_backoff_interval(
            factor=self.retry_backoff,
            retries=self.request.retries,
            maximum=self.retry_backoff_max,
            full_jitter=self.retry_jitter,
        )

    def queued_schema(self) -> str:
        from django_tenants.utils import get_public_schema_name

        schema: str | None = get_schema_name_from_task(self, {})
        return schema or get_public_schema_name()

    def signature_from_request(
        self,
        request: Any = None,
        args: Any = None,
        kwargs: Any = None,
        queue: Any = None,
        **extra_options: Any,
    ) -> Any:
        """A retry carries the schema it was queued for, stated explicitly. Celery copies the
        request's headers into the retry, but where a broker merges them into the request
        instead, tenant-schemas-celery would fill in whatever schema this worker thread is in
        by then: public, if the outage kept it from entering the tenant's."""
        signature = super().signature_from_request(request, args, kwargs, queue, **extra_options)
        headers = dict(signature.options.get("headers") or {})
        headers["_schema_name"] = self.queued_schema()
        signature.options["headers"] = headers
        return signature


app = CeleryApp("aviso", task_cls=DatabaseRetryTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
