"""Every error page of the product, one family: templates/errors/_base.html and a page per
case (400, 403, 404, 500, the database outage's 503, an unknown host, a tenant that is
suspended, archived or still being set up), styled by the product's own stylesheet and in the
visitor's language.

Every URLconf names the handlers below (Django looks them up in the URLconf of the request,
which is the tenant kind's or the operators'), CSRF_FAILURE_VIEW is csrf_failure, and the
tenant middleware and the outage middleware answer through error_response. Outside DEBUG no
request ever sees Django's own pages.

The pages are rendered without the request: no context processor runs (the user, the unread
count and the messages need the database, which may be what failed), so a 500 or a 503 renders
as surely as a 404. What a page needs comes from the request's attributes only (its host, its
tenant object already in memory).
"""

import sys
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers

TEMPLATES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    500: "errors/500.html",
}


def error_language(request: HttpRequest) -> str:
    """The page's language: the one the language middleware chose for this request (the user's
    own, or the tenant's default), or, when the request was answered before that middleware ran
    (unknown host, inactive tenant, database outage, a malformed request), the browser's
    Accept-Language (then the default language)."""
    # Imported here: config.celery imports config.outage (and so this module) while the
    # settings are still loading.
    from accounts.language import browser_language

    chosen = getattr(request, "LANGUAGE_CODE", None)
    if chosen:
        return str(chosen)
    return browser_language(request) or settings.LANGUAGE_CODE


def _site_name(request: HttpRequest) -> str | None:
    """The tenant's name for the page's header, when the host is a tenant's."""
    tenant = getattr(request, "tenant", None)  # set by the tenant middleware, if it got so far
    if tenant is None or tenant.is_public:
        return None
    return str(tenant.name)


def error_response(
    request: HttpRequest,
    template: str,
    *,
    status: int,
    context: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """An error page of the family, in the request's language, rendered without the request."""
    from accounts.language import html_lang

    language = error_language(request)
    page = {"site_name": _site_name(request), "html_lang": html_lang(language), **(context or {})}
    with translation.override(language):
        body = render_to_string(template, page)
    response = HttpResponse(body, status=status, headers=dict(headers or {}))
    response["Content-Language"] = html_lang(language)
    # The language may come from Accept-Language: caches must keep one copy per language.
    patch_vary_headers(response, ["Accept-Language"])
    return response


def bad_request(
    request: HttpRequest, exception: Exception | None = None, *, problems: list[str] | None = None
) -> HttpResponse:
    """Django's 400, and config.forms.bad_input's with the problems it found in the input."""
    return error_response(request, TEMPLATES[400], status=400, context={"problems": problems})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, TEMPLATES[403], status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, TEMPLATES[404], status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; but a lost database is the outage's 503 even when Django turned it into a
    500 before DatabaseOutageMiddleware could see it (raised inside a later middleware, such as
    the language middleware reading the signed-in user as PostgreSQL went away)."""
    # config.outage renders its page with this module: imported here, not at the top.
    from config.outage import is_database_outage, outage_response

    raised = sys.exc_info()[1]
    if raised is not None and is_database_outage(raised):
        return outage_response(raised, request)
    return error_response(request, TEMPLATES[500], status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with a missing or stale token (an old tab, cookies cleared): the 403 page,
    saying what to do. The reason is for developers; Django logs it."""
    return error_response(request, TEMPLATES[403], status=403, context={"csrf": True})


# Django reads these names from each URLconf (config/urls_*.py import them).
handler400 = bad_request
handler403 = permission_denied
handler404 = page_not_found
handler500 = server_error
