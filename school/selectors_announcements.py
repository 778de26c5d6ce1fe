"""Reads for announcements: who an audience is (recipient ids, built from the school's
structure and families), and the lists and counts the announcement pages show.

An audience is a scope (the whole school, a level, a group, a course) and a reach (its
people, their guardians, or both). Its people are students — and, for the whole school, its
teachers and administrators too; its guardians are the guardians of those students only.
Only active accounts receive anything, the author never, and every id appears once (a
guardian of two children in one group gets one copy). All of it reads the current tenant's
schema, so no other school's people can be in it."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import Role
from school.models import (
    Announcement,
    AnnouncementReach,
    AnnouncementRecipient,
    AnnouncementScope,
    ClassGroup,
    Course,
    Guardianship,
)

# Who "the whole school" is, besides its students.
SCHOOL_STAFF_ROLES = (Role.ADMINISTRATOR, Role.TEACHER)


@dataclass(frozen=True)
class Audience:
    """What an announcement is addressed to: exactly one of level, group or course is set for
    those scopes, none for the whole school."""

    scope: str
    level: str = ""
    group: ClassGroup | None = None
    course: Course | None = None

    @property
    def name(self) -> str:
        """How the pages name it ("1° A", "Level 3°", "Chemistry (Term 1)")."""
        if self.scope == AnnouncementScope.LEVEL:
            return gettext("Level %(level)s") % {"level": self.level}
        if self.scope == AnnouncementScope.GROUP and self.group is not None:
            return self.group.name
        if self.scope == AnnouncementScope.COURSE and self.course is not None:
            return f"{self.course.name} ({self.course.term.name})"
        return gettext("The whole school")


def audience_students(audience: Audience) -> QuerySet[User]:
    """The active students an audience is about."""
    students = User.objects.filter(role=Role.STUDENT, is_active=True)
    if audience.scope == AnnouncementScope.LEVEL:
        return students.filter(student_record__group__level=audience.level)
    if audience.scope == AnnouncementScope.GROUP:
        return students.filter(student_record__group=audience.group)
    if audience.scope == AnnouncementScope.COURSE:
        return students.filter(enrolments__course=audience.course)
    return students


def audience_recipient_ids(*, audience: Audience, reach: str, author: User) -> list[int]:
    """The ids of everyone an announcement to `audience` with `reach` goes to, sorted, once
    each, the author left out."""
    students = audience_students(audience)
    ids: set[int] = set()
    if reach in (AnnouncementReach.EVERYONE, AnnouncementReach.MEMBERS):
        ids.update(students.values_list("pk", flat=True))
        if audience.scope == AnnouncementScope.SCHOOL:
            ids.update(
                User.objects.filter(role__in=SCHOOL_STAFF_ROLES, is_active=True).values_list(
                    "pk", flat=True
                )
            )
    if reach in (AnnouncementReach.EVERYONE, AnnouncementReach.GUARDIANS):
        ids.update(
            Guardianship.objects.filter(
                student__in=students.values("pk"),
                guardian__is_active=True,
                guardian__role=Role.GUARDIAN,
            ).values_list("guardian_id", flat=True)
        )
    ids.discard(author.pk)
    return sorted(ids)


# --- the pages ---------------------------------------------------------------------------------


def announcements_sent(*, user: User, everyone: bool) -> QuerySet[Announcement]:
    """What the announcements page lists as sent: every announcement for administrators
    (`everyone`), a teacher's own otherwise."""
    sent = Announcement.objects.select_related("author")
    return sent if everyone else sent.filter(author=user)


def announcements_received(*, user: User) -> QuerySet[AnnouncementRecipient]:
    """The announcements that reached `user`, newest first, with whether they read each."""
    return (
        AnnouncementRecipient.objects.filter(user=user)
        .select_related("announcement__author")
        .order_by("-announcement__created_at", "-announcement_id")
    )


def announcement_receipt(*, announcement: Announcement, user: User) -> AnnouncementRecipient | None:
    return AnnouncementRecipient.objects.filter(announcement=announcement, user=user).first()


def announcement_read_state(*, announcement_id: int) -> dict[str, int]:
    """The author's live count, as the page and the topic event carry it."""
    fresh = Announcement.objects.values("read_count", "recipient_count").get(pk=announcement_id)
    return {"read": fresh["read_count"], "recipients": fresh["recipient_count"]}
