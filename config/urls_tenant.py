"""Every tenant URL of every kind. Requests never use it (the tenant's kind picks
config.urls_school or config.urls_clinic); it lets code outside a request (tasks, e-mails)
reverse any tenant URL. As ROOT_URLCONF its error handlers answer what fails before the tenant
middleware has picked a URLconf (a malformed request)."""

from django.urls import include, path

# Django reads the error pages from the URLconf each request is routed by (config.errors).
from config.errors import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls_common import urlpatterns as common

urlpatterns = [
    *common,
    path("school/", include("school.urls")),
    path("clinic/", include("clinic.urls")),
]
