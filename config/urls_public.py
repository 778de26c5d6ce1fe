"""The operators' site (public schema)."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

# Django reads the error pages from the URLconf each request is routed by (config.errors).
from config.errors import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", include("console.urls")),
    path("accounts/", include("allauth.urls")),
    # The console scripts' gettext()/ngettext() (djangojs catalogue, the page's language).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
