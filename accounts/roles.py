"""Who may do what: the roles of each tenant kind, in one place."""

from django.db import models


class Role(models.TextChoices):
    OPERATOR = "operator", "Operator"
    ADMINISTRATOR = "administrator", "Administrator"
    STUDENT = "student", "Student"
    DENTIST = "dentist", "Dentist"
    RECEPTIONIST = "receptionist", "Receptionist"
    PATIENT = "patient", "Patient"


ROLES_BY_KIND: dict[str, frozenset[Role]] = {
    "school": frozenset({Role.ADMINISTRATOR, Role.STUDENT}),
    "clinic": frozenset({Role.ADMINISTRATOR, Role.DENTIST, Role.RECEPTIONIST, Role.PATIENT}),
}

# Roles that run a tenant (see staff pages, manage users); the rest are its customers.
SCHOOL_STAFF: frozenset[Role] = frozenset({Role.ADMINISTRATOR})
CLINIC_STAFF: frozenset[Role] = frozenset({Role.ADMINISTRATOR, Role.DENTIST, Role.RECEPTIONIST})
STAFF_ROLES: frozenset[Role] = SCHOOL_STAFF | CLINIC_STAFF


def roles_for_kind(kind: str) -> frozenset[Role]:
    return ROLES_BY_KIND.get(kind, frozenset())
