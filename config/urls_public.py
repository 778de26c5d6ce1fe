"""The operators' site (public schema)."""

from django.urls import include, path

# Django reads the error pages from the URLconf each request is routed by (config.errors).
from config.errors import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls_i18n import urlpatterns as i18n

urlpatterns = [
    path("", include("console.urls")),
    path("accounts/", include("allauth.urls")),
    *i18n,
]
