from django.urls import path

from clinic import views

app_name = "clinic"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("book/", views.book, name="book"),
    path("appointments/", views.my_appointments, name="my_appointments"),
    path("appointments/<int:pk>/", views.appointment, name="appointment"),
    path("appointments/<int:pk>/messages/", views.message_post, name="message_post"),
    path("appointments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("appointments/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("appointments/<int:pk>/decline/", views.decline, name="decline"),
    path("appointments/<int:pk>/propose/", views.propose, name="propose"),
    path("appointments/<int:pk>/complete/", views.complete, name="complete"),
    path("appointments/<int:pk>/no-show/", views.no_show, name="no_show"),
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/data/", views.schedule_data, name="schedule_data"),
    path("requests/", views.requests, name="requests"),
]
