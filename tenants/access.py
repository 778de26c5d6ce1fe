from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from accounts.roles import Role
from tenants.models import Tenant
from tenants.selectors import customer_tenants

View = TypeVar("View", bound=Callable[..., HttpResponse])


def operator_required(view: View) -> View:
    """Only operators (staff users of the public schema) see the console; others get 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_staff and getattr(user, "role", None) == Role.OPERATOR):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def access_tenant(*, slug: str) -> Tenant:
    tenant = customer_tenants().filter(schema_name=slug).first()
    if tenant is None:
        raise Http404("No such tenant.")
    return tenant
