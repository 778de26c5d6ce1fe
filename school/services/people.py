"""What the school records about its people beyond their accounts: a student's enrolment
number and group, a guardian's children. The people pages and the CSV import call these."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import Role
from school.models import ClassGroup, Guardianship, StudentRecord


def student_record_set(
    *, student: User, enrolment_number: str, group: ClassGroup | None
) -> StudentRecord:
    if student.role != Role.STUDENT:
        raise ValidationError(
            gettext("%(name)s is not a student of this school.") % {"name": student.display_name}
        )
    enrolment_number = enrolment_number.strip()
    if not enrolment_number:
        raise ValidationError({"enrolment_number": gettext("A student needs an enrolment number.")})
    taken = StudentRecord.objects.filter(enrolment_number=enrolment_number).exclude(student=student)
    if taken.exists():
        raise ValidationError(
            {
                "enrolment_number": gettext("Enrolment number %(number)s is already taken.")
                % {"number": enrolment_number}
            }
        )
    record, _created = StudentRecord.objects.update_or_create(
        student=student, defaults={"enrolment_number": enrolment_number, "group": group}
    )
    return record


def guardianship_set(*, guardian: User, students: Iterable[User]) -> list[User]:
    """Make `students` exactly the guardian's children (links to others are removed)."""
    if guardian.role != Role.GUARDIAN:
        raise ValidationError(
            gettext("%(name)s is not a guardian.") % {"name": guardian.display_name}
        )
    children = list(students)
    for child in children:
        if child.role != Role.STUDENT:
            raise ValidationError(
                {
                    "children": gettext("%(name)s is not a student of this school.")
                    % {"name": child.display_name}
                }
            )
    Guardianship.objects.filter(guardian=guardian).exclude(student__in=children).delete()
    for child in children:
        Guardianship.objects.get_or_create(guardian=guardian, student=child)
    return children
