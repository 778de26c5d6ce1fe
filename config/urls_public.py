"""The operators' site (public schema)."""

from django.urls import include, path

from config.urls_i18n import urlpatterns as i18n

urlpatterns = [
    path("", include("console.urls")),
    path("accounts/", include("allauth.urls")),
    *i18n,
]
