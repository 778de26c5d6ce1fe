"""Who may manage a tenant's people, stated once (accounts.roles.people_managers), and the
person a manager may act on. Both the people pages and the CSV import guard with these."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import people_managers
from tenants.selectors import current_tenant

View = TypeVar("View", bound=Callable[..., HttpResponse])


def is_people_manager(user: User) -> bool:
    return user.has_role(*people_managers(current_tenant().kind))


def people_manager_required(view: View) -> View:
    """Signed-in people managers of this tenant's kind pass; strangers go to the login page;
    everyone else gets the 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assert isinstance(user, User)
        if not is_people_manager(user):
            raise PermissionDenied(_("Your role cannot open this page."))
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def access_person(*, by: User, pk: int) -> User:
    """The person `pk` of this tenant, for a people manager; 404 for anyone else or no one."""
    if not is_people_manager(by):
        raise Http404(_("No such person."))
    try:
        return User.objects.get(pk=pk)
    except User.DoesNotExist:
        raise Http404(_("No such person.")) from None
