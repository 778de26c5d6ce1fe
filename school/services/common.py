from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from accounts.roles import SCHOOL_STAFF, Role


def require_administrator(user: User) -> None:
    """Services re-check the actor: views guard roles too, but tasks and shells do not."""
    if not user.has_role(*SCHOOL_STAFF):
        raise PermissionDenied("Only the school's administrators may do this.")


def require_student(user: User) -> None:
    if not user.has_role(Role.STUDENT):
        raise ValidationError(f"{user.display_name} is not a student of this school.")
