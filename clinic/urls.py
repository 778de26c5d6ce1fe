from django.urls import path

from clinic import views, views_calendar, views_inbox, views_setup, views_waitlist

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
    path("appointments/<int:pk>/accept/", views.accept, name="accept"),
    path("appointments/<int:pk>/reject/", views.reject, name="reject"),
    path("appointments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("appointments/<int:pk>/complete/", views.complete, name="complete"),
    path("appointments/<int:pk>/no-show/", views.no_show, name="no_show"),
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/data/", views.schedule_data, name="schedule_data"),
    path("requests/", views.requests, name="requests"),
    # The staff's messages inbox (#14): every thread they may see, unread counts per reader.
    path("messages/", views_inbox.inbox, name="inbox"),
    path("messages/data/", views_inbox.inbox_data, name="inbox_data"),
    path("appointments/<int:pk>/read/", views_inbox.thread_read, name="thread_read"),
    # A patient's or dentist's private calendar feed (#14): the page, its reset, the feed.
    path("calendar/", views_calendar.calendar_feed, name="calendar_feed"),
    path("calendar/reset/", views_calendar.calendar_feed_reset_link, name="calendar_feed_reset"),
    path("calendar/<str:token>.ics", views_calendar.calendar_feed_ics, name="calendar_feed_ics"),
    # Setting the clinic up (#14); who may open which: clinic.access.SETUP_ROLES.
    path("setup/", views_setup.setup, name="setup"),
    path("setup/dentists/", views_setup.setup_dentists, name="setup_dentists"),
    path("setup/dentists/<int:dentist_id>/hours/", views_setup.setup_hours, name="setup_hours"),
    path("setup/days-off/", views_setup.setup_days_off, name="setup_days_off"),
    path("setup/holidays/", views_setup.setup_holidays, name="setup_holidays"),
    path("setup/chairs/", views_setup.setup_chairs, name="setup_chairs"),
    path("setup/types/", views_setup.setup_types, name="setup_types"),
    path("setup/settings/", views_setup.setup_settings, name="setup_settings"),
    # The waitlist and its live offers (#14).
    path("waitlist/", views_waitlist.waitlist, name="waitlist"),
    path(
        "waitlist/<int:entry_id>/leave/",
        views_waitlist.waitlist_leave_view,
        name="waitlist_leave",
    ),
    path("waitlist/offers/<int:offer_id>/", views_waitlist.waitlist_offer, name="waitlist_offer"),
    path(
        "waitlist/offers/<int:offer_id>/accept/",
        views_waitlist.waitlist_offer_accept_view,
        name="waitlist_offer_accept",
    ),
    path("waitlist/dentists/", views_waitlist.waitlist_staff, name="waitlist_staff"),
]
