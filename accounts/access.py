"""Access checks for views: one decorator for roles; objects are fetched by access_* helpers."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accounts.models import User

View = TypeVar("View", bound=Callable[..., HttpResponse])


def role_required(*roles: str) -> Callable[[View], View]:
    """Signed-in users of one of `roles` pass; strangers go to login; other roles get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            assert isinstance(user, User)
            if not user.has_role(*roles):
                raise PermissionDenied(_("Your role cannot open this page."))
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a view already guarded by role_required."""
    user = request.user
    assert isinstance(user, User)
    return user
