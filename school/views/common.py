from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from accounts.access import request_user
from accounts.models import User
from accounts.roles import Role
from school import access, selectors
from school.errors import Conflict
from school.forms import ChildForm


def error_status(exc: ValidationError) -> int:
    """409 when the record's state forbids the request, 400 when the input is wrong."""
    return 409 if isinstance(exc, Conflict) else 400


# A guardian sees the same pages as a student, switched between their children by ?student=.
FAMILY = (Role.STUDENT, Role.GUARDIAN)


def viewed_student(request: HttpRequest) -> User:
    """Whose records a "my ..." page shows (a junk or foreign ?student= is a 404)."""
    form = ChildForm(request.GET)
    if not form.is_valid():
        raise Http404(gettext("No such child of yours."))
    return access.access_viewed_student(request_user(request), form.cleaned_data["student"])


def family_context(request: HttpRequest, student: User) -> dict[str, Any]:
    """What the pages need to show a guardian which child they look at, and to switch."""
    user = request_user(request)
    if not user.has_role(Role.GUARDIAN):
        return {"student": student, "children": [], "child_query": ""}
    return {
        "student": student,
        "children": list(selectors.children_of(guardian=user)),
        "child_query": f"?student={student.pk}",
    }
