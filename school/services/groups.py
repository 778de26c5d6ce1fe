"""Writes of the school's groups ("3° A"): the students who share a timetable."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from school.models import ClassGroup


def group_create(*, name: str, level: str) -> ClassGroup:
    name, level = name.strip(), level.strip()
    if not name:
        raise ValidationError({"name": gettext("A group needs a name.")})
    if ClassGroup.objects.filter(name__iexact=name).exists():
        raise ValidationError(
            {"name": gettext("There is already a group called %(name)s.") % {"name": name}}
        )
    return ClassGroup.objects.create(name=name, level=level)
