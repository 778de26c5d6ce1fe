"""The people pages and the account page (mounted at the tenant's root by config.urls_common);
each part adds its own lines."""

from django.urls import URLPattern, URLResolver

app_name = "people"

urlpatterns: list[URLPattern | URLResolver] = []

# --- the people pages (people-pages) ---
from django.urls import path  # noqa: E402

from people import views  # noqa: E402

urlpatterns += [
    path("people/", views.people_list, name="list"),
    path("people/add/", views.person_add, name="add"),
    path("people/<int:person_id>/", views.person_detail, name="detail"),
    path("people/<int:person_id>/resend/", views.person_resend, name="resend"),
    path("people/<int:person_id>/role/", views.person_role, name="role"),
    path("people/<int:person_id>/deactivate/", views.person_deactivate, name="deactivate"),
    path("people/<int:person_id>/reactivate/", views.person_reactivate, name="reactivate"),
    path("people/<int:person_id>/delete/", views.person_delete, name="delete"),
]

# --- the CSV import (people.imports) ---------------------------------------------------------
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

# --- my account (every user of the tenant) ---------------------------------------------------
from people.account import views as account_views  # noqa: E402

urlpatterns += [
    path("account/me/", account_views.account, name="account"),
    path("account/me/profile/", account_views.account_profile, name="account_profile"),
    path("account/me/email/", account_views.account_email, name="account_email"),
    path(
        "account/me/notifications/",
        account_views.account_notifications,
        name="account_notifications",
    ),
    path(
        "account/me/sign-out-everywhere/",
        account_views.account_sign_out_everywhere,
        name="account_sign_out_everywhere",
    ),
]

# --- the people list as a CSV download (exports) ---------------------------------------------
urlpatterns += [path("people.csv", views.people_list_csv, name="list_csv")]
