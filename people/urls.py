"""The people pages and the account page (mounted at the tenant's root by config.urls_common);
each part adds its own lines."""

from django.urls import URLPattern, URLResolver

app_name = "people"

urlpatterns: list[URLPattern | URLResolver] = []
