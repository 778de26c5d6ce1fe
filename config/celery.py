"""The Celery app. Tasks run in the schema named by the `_schema_name` header
(tenant-schemas-celery); use tenants.tasks.enqueue_for_tenant rather than .delay() so that
header never depends on which schema the calling thread happens to be in."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("aviso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
