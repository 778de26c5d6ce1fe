"""URLs every tenant has, whatever its kind."""

from django.urls import include, path

from accounts import views as account_views
from config.urls_i18n import urlpatterns as i18n
from realtime import views as realtime_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("realtime.urls")),
    path("presence/", realtime_views.presence_online, name="presence_online"),
    path("", include("people.urls")),
    *i18n,
]
