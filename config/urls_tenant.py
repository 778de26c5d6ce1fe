"""Every tenant URL of every kind. Requests never use it (the tenant's kind picks
config.urls_school or config.urls_clinic); it lets code outside a request (tasks, e-mails)
reverse any tenant URL."""

from django.urls import include, path

from config.urls_common import urlpatterns as common

urlpatterns = [
    *common,
    path("school/", include("school.urls")),
    path("clinic/", include("clinic.urls")),
]
