from django.urls import include, path

# Django reads the error pages from the URLconf each request is routed by (config.errors).
from config.errors import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls_common import urlpatterns as common

urlpatterns = [*common, path("clinic/", include("clinic.urls"))]
