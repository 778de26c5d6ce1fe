"""Who may use the operators' console: one definition of "an operator", used by the pages,
/metrics and the operators' socket (console.consumers)."""

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accounts.roles import Role
from tenants.models import Tenant
from tenants.selectors import customer_tenants

View = TypeVar("View", bound=Callable[..., HttpResponse])


def is_operator(user: Any) -> bool:
    """A signed-in, active staff user of the public schema with the operator role."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and getattr(user, "role", None) == Role.OPERATOR
    )


def operator_required(view: View) -> View:
    """Only operators (staff users of the public schema) see the console; others get 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_operator(user):
            raise Http404(_("No such page."))
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def metrics_token() -> str:
    """The scrapers' bearer token (AVISO_METRICS_TOKEN); empty means token access is off."""
    return str(settings.AVISO_METRICS_TOKEN)


def metrics_allowed(request: HttpRequest) -> bool:
    """/metrics is for operators (their console session) and for scrapers with the token."""
    if is_operator(request.user):
        return True
    token = metrics_token()
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return bool(
        token
        and scheme.lower() == "bearer"
        and hmac.compare_digest(presented.strip().encode(), token.encode())
    )


def access_tenant(*, slug: str) -> Tenant:
    tenant = customer_tenants().filter(schema_name=slug).first()
    if tenant is None:
        raise Http404(_("No such tenant."))
    return tenant
