"""The notification families, declared once: what a user switches e-mail copies on or off
for on their account page (people:account_notifications). Every notification type names its
family (realtime.catalogue refuses one without); in-app delivery is always on, only the
e-mail copy is a choice. `email_copy` is the family's default for a user who never chose
(no realtime.NotificationPreference row)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Family:
    key: str
    label: str | Promise
    email_copy: bool
    # The tenant kinds whose people receive it (the account page lists only these).
    kinds: frozenset[str]


SCHOOL = frozenset({"school"})
CLINIC = frozenset({"clinic"})
BOTH = SCHOOL | CLINIC

GRADES = Family("grades", _("Grades"), email_copy=True, kinds=SCHOOL)
BILLING = Family("billing", _("Invoices and payments"), email_copy=True, kinds=SCHOOL)
APPOINTMENTS = Family("appointments", _("Appointments"), email_copy=True, kinds=CLINIC)
# Messages are a conversation: an e-mail per message only for those who ask for it.
MESSAGES = Family("messages", _("Messages"), email_copy=False, kinds=CLINIC)
ANNOUNCEMENTS = Family("announcements", _("Announcements"), email_copy=True, kinds=BOTH)
SYSTEM = Family("system", _("Account and system"), email_copy=False, kinds=BOTH)

FAMILIES: dict[str, Family] = {
    family.key: family
    for family in (GRADES, BILLING, APPOINTMENTS, MESSAGES, ANNOUNCEMENTS, SYSTEM)
}


def family_get(key: str) -> Family | None:
    return FAMILIES.get(key)


def families_for_kind(kind: str) -> list[Family]:
    """The families the people of a tenant of `kind` receive, in declaration order."""
    return [family for family in FAMILIES.values() if kind in family.kinds]
