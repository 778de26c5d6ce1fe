"""Writes of the school's class groups ("3° A", the students who share a timetable):
administrators create and rename them; the people pages and the CSV import put students
in them (school.services.people)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from accounts.models import User
from school.errors import Conflict
from school.models import ClassGroup
from school.services.common import require_administrator


def _clean_name(name: str, *, other_than: ClassGroup | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": gettext("A group needs a name.")})
    taken = ClassGroup.objects.filter(name__iexact=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.exists():
        raise ValidationError(
            {"name": gettext("There is already a group called %(name)s.") % {"name": name}}
        )
    return name


def group_create(*, name: str, level: str = "", by: User | None = None) -> ClassGroup:
    """A new group ("3° A", level "3°"). `by` is checked when a person asks; the setup page
    (administrators only) and seeding code pass none."""
    if by is not None:
        require_administrator(by)
    return ClassGroup.objects.create(name=_clean_name(name), level=level.strip())


def group_rename(*, group: ClassGroup, name: str, by: User) -> ClassGroup:
    require_administrator(by)
    group.name = _clean_name(name, other_than=group)
    group.save(update_fields=["name"])
    return group


@transaction.atomic
def group_delete(*, group: ClassGroup, by: User) -> None:
    """A group made by mistake: only while no student is in it and no course is taught to it."""
    require_administrator(by)
    if group.students.exists() or group.courses.exists():
        raise Conflict(
            gettext("%(group)s has students or courses: move or delete them first.")
            % {"group": group}
        )
    if group.billing_runs.exists():
        raise Conflict(
            gettext("%(group)s has been billed (its billing runs are kept): it cannot be deleted.")
            % {"group": group}
        )
    group.delete()
