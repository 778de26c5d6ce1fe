"""Who may do what: the roles of each tenant kind, in one place."""

from django.db import models
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    OPERATOR = "operator", pgettext_lazy("role", "Operator")
    ADMINISTRATOR = "administrator", pgettext_lazy("role", "Administrator")
    STUDENT = "student", pgettext_lazy("role", "Student")
    DENTIST = "dentist", pgettext_lazy("role", "Dentist")
    RECEPTIONIST = "receptionist", pgettext_lazy("role", "Receptionist")
    PATIENT = "patient", pgettext_lazy("role", "Patient")


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
