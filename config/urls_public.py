"""The operators' site (public schema)."""

from django.urls import include, path

urlpatterns = [
    path("", include("console.urls")),
    path("accounts/", include("allauth.urls")),
]
