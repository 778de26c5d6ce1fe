"""Reads of a tenant's people for the people pages. Call inside the tenant's schema."""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q, QuerySet

from accounts.models import PersonStatus, User
from accounts.roles import Role
from school.models import ClassGroup

# User.status, as a filter: someone invited has no usable password yet (never chose one).
_NO_PASSWORD = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
STATUS_FILTERS: dict[str, Q] = {
    PersonStatus.INVITED: Q(is_active=True) & _NO_PASSWORD,
    PersonStatus.ACTIVE: Q(is_active=True) & ~_NO_PASSWORD,
    PersonStatus.DEACTIVATED: Q(is_active=False),
}


def people_list(*, search: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    """The tenant's people by name, matching `search` in the name, e-mail or enrolment number,
    of `role` and `status` when given; each row with its student record and group (one query
    per page, however many students)."""
    people = User.objects.select_related("student_record__group").order_by("full_name", "email")
    search = search.strip()
    if search:
        people = people.filter(
            Q(full_name__icontains=search)
            | Q(email__icontains=search)
            | Q(student_record__enrolment_number__icontains=search)
        )
    if role:
        people = people.filter(role=role)
    if status:
        people = people.filter(STATUS_FILTERS[status])
    return people


def students() -> QuerySet[User]:
    """Every student, with their record (a guardian's children are picked among them)."""
    return User.objects.filter(role=Role.STUDENT).select_related("student_record")


def class_groups() -> QuerySet[ClassGroup]:
    return ClassGroup.objects.all()


def person_children(*, guardian: User) -> QuerySet[User]:
    return students().filter(guardianships__guardian=guardian)


def person_guardians(*, student: User) -> QuerySet[User]:
    return User.objects.filter(role=Role.GUARDIAN, wards__student=student)
