from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import SCHOOL_STAFF, Role
from realtime.catalogue import NotificationType
from realtime.services import notify
from school.models import Course
from school.notifications import for_guardian
from school.selectors import family_of

P = TypeVar("P", bound=Mapping[str, Any])


def require_administrator(user: User) -> None:
    """Services re-check the actor: views guard roles too, but tasks and shells do not."""
    if not user.has_role(*SCHOOL_STAFF):
        raise PermissionDenied(gettext("Only the school's administrators may do this."))


def require_grader(user: User, course: Course) -> None:
    """Administrators grade every course; a teacher only the courses they teach."""
    if user.has_role(*SCHOOL_STAFF):
        return
    if user.has_role(Role.TEACHER) and course.teachers.filter(pk=user.pk).exists():
        return
    raise PermissionDenied(gettext("Only the course's teachers and administrators may do this."))


def require_student(user: User) -> None:
    if not user.has_role(Role.STUDENT):
        raise ValidationError(
            gettext("%(name)s is not a student of this school.") % {"name": user.display_name}
        )


def notify_family(*, student: User | int, kind: NotificationType[P], params: P) -> list[int]:
    """A student's notification, and a copy naming the student to each of their guardians
    (a separate row per recipient, so each replays it on reconnect). Returns the guardians."""
    notify(recipients=[student], kind=kind, params=params)
    guardians = family_of(student=student)
    if guardians:
        child = student if isinstance(student, User) else User.objects.get(pk=student)
        notify(recipients=guardians, kind=kind, params=for_guardian(params, student=child))
    return guardians
