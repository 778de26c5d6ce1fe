from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import SCHOOL_STAFF, Role


def require_administrator(user: User) -> None:
    """Services re-check the actor: views guard roles too, but tasks and shells do not."""
    if not user.has_role(*SCHOOL_STAFF):
        raise PermissionDenied(gettext("Only the school's administrators may do this."))


def require_student(user: User) -> None:
    if not user.has_role(Role.STUDENT):
        raise ValidationError(
            gettext("%(name)s is not a student of this school.") % {"name": user.display_name}
        )
