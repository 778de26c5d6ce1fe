"""The language URLs every site has (the tenants' and the operators')."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from accounts.views import language_choose

urlpatterns = [
    # The JS catalogue (gettext, ngettext, interpolate, get_format) in the page's language;
    # templates/base.html loads it before any page script.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # The language chooser's form posts here (templates/base.html).
    path("language/", language_choose, name="set_language"),
]
