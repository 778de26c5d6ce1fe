"""Which language a page, a socket or an e-mail is in: the one rule, here.

* A signed-in user of a tenant reads their own language (User.language), else their tenant's
  default (Tenant.default_language).
* An anonymous visitor reads what they picked with the language chooser (Django's language
  cookie), else what their browser asks for (Accept-Language), else the tenant's default, else
  English (settings.LANGUAGE_CODE).
* On the operators' site: the operator's own language, else as for an anonymous visitor.

LanguageMiddleware activates it for every request (TenantMiddleware activates the tenant's time
zone); a socket gets `scope["language"]` from `language_for` (realtime.asgi); e-mails and
notifications are rendered in `language_for(recipient, tenant)`.

accounts sits below the tenant registry: callers pass the tenant (anything with
`default_language` and `is_public`), this module never imports it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from accounts.models import User


class TenantLanguage(Protocol):
    """What this module reads of a tenant (tenants.models.Tenant has both)."""

    default_language: str

    @property
    def is_public(self) -> bool: ...


LANGUAGE_CODES = frozenset(code for code, _ in settings.LANGUAGES)


def known_language(code: str | None) -> str | None:
    """`code` if it is one of settings.LANGUAGES exactly (a stored choice), else None."""
    return code if code in LANGUAGE_CODES else None


def closest_language(code: str | None) -> str | None:
    """The language of ours closest to what a browser or cookie names ("es", "es-ES", "es_MX"
    → "es-mx"; "en-GB" → "en"), or None when we have none of it ("fr")."""
    if not code or code == "*":
        return None
    try:
        found: str = translation.get_supported_language_variant(code.replace("_", "-").lower())
    except LookupError:
        return None
    return found


def tenant_language(tenant: TenantLanguage | None) -> str:
    """A tenant's default language (the product's default on the public site)."""
    if tenant is None or tenant.is_public:
        return settings.LANGUAGE_CODE
    return known_language(tenant.default_language) or settings.LANGUAGE_CODE


def language_for(user: Any, tenant: TenantLanguage | None) -> str:
    """The language `user` reads on `tenant`'s site: their own choice, else the tenant's
    default. For sockets, e-mails and notifications (anything without a browser's request)."""
    return reading_language(user.language if isinstance(user, User) else None, tenant)


def reading_language(own: str | None, tenant: TenantLanguage | None) -> str:
    """language_for from a user's stored choice alone (a socket's hello reads just that)."""
    return known_language(own) or tenant_language(tenant)


def browser_language(request: HttpRequest) -> str | None:
    """What the visitor picked with the chooser (the language cookie), else the first language
    of ours their browser's Accept-Language names; None if neither."""
    chosen = closest_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    # Django's parser bounds what it reads of a long header (and orders by quality).
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        found = closest_language(code)
        if found:
            return found
    return None


def request_language(request: HttpRequest) -> str:
    """The language of the page `request` asks for (see the module's docstring). Works before
    authentication too (pages TenantMiddleware answers itself): then the visitor is anonymous."""
    user = getattr(request, "user", None)
    tenant: TenantLanguage | None = getattr(request, "tenant", None)
    if isinstance(user, User) and user.is_authenticated:
        own = known_language(user.language)
        if own:
            return own
        if tenant is not None and not tenant.is_public:
            return tenant_language(tenant)
    return browser_language(request) or tenant_language(tenant)


def html_lang(language: str) -> str:
    """The BCP 47 tag of one of our languages, as <html lang> and Intl write it: "es-MX"."""
    return translation.to_locale(language).replace("_", "-")


class LanguageMiddleware:
    """Activates the request's language for the view, its templates and its forms (and for
    Django's own error pages); says which one in Content-Language. Pages depend on the
    session's user, the language cookie and Accept-Language: caches must vary on them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", html_lang(language))
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


def page_locale(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `<html lang="{{ html_lang }}" data-time-zone="{{ time_zone }}">`, which
    static/aviso/format.js reads to write dates, times and amounts as the server does."""
    return {
        "html_lang": html_lang(translation.get_language() or settings.LANGUAGE_CODE),
        "time_zone": timezone.get_current_timezone_name(),
        # The chooser names each language in itself ("Español (México)" on an English page).
        "languages": settings.LANGUAGES,
    }


@contextmanager
def reading_as(user: Any, tenant: TenantLanguage | None) -> Iterator[str]:
    """`with reading_as(recipient, tenant) as language:` renders text for `recipient` away from
    their browser (an e-mail, a notification): in their language. The time zone is the
    tenant's: realtime.services.recipient_locale adds it."""
    language = language_for(user, tenant)
    with translation.override(language):
        yield language


@receiver(user_logged_in)
def adopt_chosen_language(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """Someone who picked a language on the sign-in page keeps it once signed in: a user who
    never chose one (blank: the tenant's default) adopts the chooser's cookie."""
    if request is None or not isinstance(user, User) or user.language:
        return
    chosen = closest_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        from accounts.services import user_set_language

        user_set_language(user=user, language=chosen)
