"""Who may do what: the roles of each tenant kind, in one place."""

from typing import Any

from django.db import models
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    OPERATOR = "operator", pgettext_lazy("role", "Operator")
    ADMINISTRATOR = "administrator", pgettext_lazy("role", "Administrator")
    TEACHER = "teacher", pgettext_lazy("role", "Teacher")
    STUDENT = "student", pgettext_lazy("role", "Student")
    GUARDIAN = "guardian", pgettext_lazy("role", "Guardian")
    DENTIST = "dentist", pgettext_lazy("role", "Dentist")
    RECEPTIONIST = "receptionist", pgettext_lazy("role", "Receptionist")
    PATIENT = "patient", pgettext_lazy("role", "Patient")


ROLES_BY_KIND: dict[str, frozenset[Role]] = {
    "school": frozenset({Role.ADMINISTRATOR, Role.TEACHER, Role.STUDENT, Role.GUARDIAN}),
    "clinic": frozenset({Role.ADMINISTRATOR, Role.DENTIST, Role.RECEPTIONIST, Role.PATIENT}),
}

# Roles that run a tenant (see staff pages, manage users); the rest are its customers.
SCHOOL_STAFF: frozenset[Role] = frozenset({Role.ADMINISTRATOR})
CLINIC_STAFF: frozenset[Role] = frozenset({Role.ADMINISTRATOR, Role.DENTIST, Role.RECEPTIONIST})
STAFF_ROLES: frozenset[Role] = SCHOOL_STAFF | CLINIC_STAFF


# Who manages a tenant's people (the people pages and the CSV import).
PEOPLE_MANAGERS_BY_KIND: dict[str, frozenset[Role]] = {
    "school": frozenset({Role.ADMINISTRATOR}),
    "clinic": frozenset({Role.ADMINISTRATOR, Role.RECEPTIONIST}),
}

# The role a stranger who signs up on a clinic that allows it gets, and the only one.
SELF_SIGN_UP_ROLE: dict[str, Role] = {"clinic": Role.PATIENT}


def roles_for_kind(kind: str) -> frozenset[Role]:
    return ROLES_BY_KIND.get(kind, frozenset())


def people_managers(kind: str) -> frozenset[Role]:
    return PEOPLE_MANAGERS_BY_KIND.get(kind, frozenset())


def role_choices(kind: str) -> list[tuple[str, Any]]:
    """The roles of `kind` as form choices, in the enum's order."""
    roles = roles_for_kind(kind)
    return [(role.value, role.label) for role in Role if role in roles]
