"""The people pages and the account page (mounted at the tenant's root by config.urls_common);
each part adds its own lines."""

from django.urls import URLPattern, URLResolver

app_name = "people"

urlpatterns: list[URLPattern | URLResolver] = []

# --- the CSV import (people.imports) ---------------------------------------------------------
from django.urls import path  # noqa: E402

from people.imports import views as import_views  # noqa: E402

urlpatterns += [
    path("people/import/", import_views.import_upload, name="import"),
    path("people/import/template.csv", import_views.import_template, name="import_template"),
    path("people/import/preview/", import_views.import_preview, name="import_preview"),
    path("people/import/start/", import_views.import_begin, name="import_start"),
    path("people/import/<int:job_id>/", import_views.import_job, name="import_job"),
    path(
        "people/import/<int:job_id>/status/",
        import_views.import_job_fragment,
        name="import_job_fragment",
    ),
]
