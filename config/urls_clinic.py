from django.urls import include, path

from config.urls_common import urlpatterns as common

urlpatterns = [*common, path("clinic/", include("clinic.urls"))]
