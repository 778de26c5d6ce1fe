"""A school's URLconf with one more page, which fails like a bug would: how the error-page
tests meet a real 500 through the whole stack. Everything else, the error handlers included,
is the school's own (config.urls_school)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls_school import *  # noqa: F403 -- the school's handlers, as Django reads them
from config.urls_school import urlpatterns as school_urlpatterns


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("fails/", fails), *school_urlpatterns]
