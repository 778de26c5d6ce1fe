"""The people pages and the account page (mounted at the tenant's root by config.urls_common);
each part adds its own lines."""

from django.urls import URLPattern, URLResolver

app_name = "people"

urlpatterns: list[URLPattern | URLResolver] = []

# --- my account (every user of the tenant) ---------------------------------------------------
from django.urls import path  # noqa: E402

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
