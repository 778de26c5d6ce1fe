from django.urls import path

from realtime import views

app_name = "realtime"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark_read"),
]
