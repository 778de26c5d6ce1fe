from typing import NamedTuple

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import set_urlconf
from django.utils import timezone
from django_tenants.middleware.main import TenantMainMiddleware

from accounts.language import browser_language, tenant_language
from config.errors import error_response
from config.outage import DATABASE_OUTAGE_ERRORS, outage_response
from tenants import clock
from tenants.models import Tenant, TenantStatus

URLCONF_BY_KIND = {
    "school": "config.urls_school",
    "clinic": "config.urls_clinic",
}


class ClosedPage(NamedTuple):
    template: str
    status: int


# What every page of a tenant in one of these states answers instead of itself (templates/errors/,
# in the visitor's language). 410: an archived site is gone for good (its data is kept).
CLOSED_PAGES: dict[str, ClosedPage] = {
    TenantStatus.SUSPENDED: ClosedPage("errors/suspended.html", 403),
    TenantStatus.ARCHIVED: ClosedPage("errors/archived.html", 410),
}


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants' host → schema switch, plus: unknown hosts get a plain 404 (never the
    public site), inactive tenants get a clear page, and the tenant's kind picks its URLs."""

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        return error_response(
            request, "errors/unknown_host.html", status=404, context={"hostname": hostname}
        )

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            response = super().process_request(request)
        except DATABASE_OUTAGE_ERRORS as exc:
            # The connection was lost after DatabaseOutageMiddleware checked it: the same page.
            return outage_response(exc, request)
        if response is not None:
            return response
        tenant: Tenant = request.tenant  # type: ignore[attr-defined]
        if tenant.is_public:
            return None
        closed = CLOSED_PAGES.get(tenant.status)
        if closed is not None:
            # Answered before the language middleware: the visitor's pick or browser, else
            # the tenant's own default (a Mexican school's closed page is in Spanish).
            request.LANGUAGE_CODE = browser_language(request) or tenant_language(tenant)
            return error_response(
                request, closed.template, status=closed.status, context={"tenant": tenant}
            )
        if tenant.status != TenantStatus.ACTIVE:
            return error_response(
                request,
                "errors/provisioning.html",
                status=503,
                context={"tenant": tenant},
                headers={"Retry-After": "5"},
            )
        # Pages show times in the tenant's own time zone.
        clock.activate(tenant)
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        timezone.deactivate()
        return response

    @staticmethod
    def setup_url_routing(request: HttpRequest, force_public: bool = False) -> None:
        tenant = getattr(request, "tenant", None)
        if force_public or tenant is None or tenant.is_public:
            urlconf = settings.PUBLIC_SCHEMA_URLCONF
        else:
            urlconf = URLCONF_BY_KIND[tenant.kind]
        request.urlconf = urlconf  # type: ignore[attr-defined]
        set_urlconf(urlconf)
