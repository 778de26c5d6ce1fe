"""Who may see what in the school. Objects a view may show are fetched for the signed-in user:
anything the user may not see is a 404, exactly like something that does not exist, so ids
reveal nothing. Live feeds (realtime topics) are authorised here too."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import SCHOOL_STAFF, Role
from realtime.topics import TopicDenied
from school.clock import tenant_today
from school.models import (
    Announcement,
    AnnouncementRecipient,
    AnnouncementScope,
    BillingRun,
    ClassGroup,
    Course,
    FeeItem,
    Grade,
    Invoice,
    Payment,
    Term,
)
from school.payloads import PAYMENTS_FEED_ID, TOTALS_ID
from school.selectors import children_of
from school.selectors_announcements import Audience
from tenants.selectors import current_tenant


def _is_admin(user: User) -> bool:
    """School staff see every student's records; others only what is theirs."""
    return user.has_role(*SCHOOL_STAFF)


def courses_of(user: User) -> QuerySet[Course]:
    """The courses a user may grade: all for administrators, a teacher's own for a teacher."""
    if _is_admin(user):
        return Course.objects.all()
    if user.has_role(Role.TEACHER):
        return Course.objects.filter(teachers=user)
    return Course.objects.none()


def _own_students(user: User) -> list[int]:
    """Whose records a non-administrator may see: a student their own, a guardian their
    children's."""
    if user.has_role(Role.STUDENT):
        return [user.pk]
    if user.has_role(Role.GUARDIAN):
        return list(children_of(guardian=user).values_list("pk", flat=True))
    return []


def access_term(user: User, pk: int) -> Term:
    return get_object_or_404(Term, pk=pk)


def access_course(user: User, pk: int) -> Course:
    return get_object_or_404(courses_of(user).select_related("term", "subject"), pk=pk)


def access_grade(user: User, pk: int) -> Grade:
    grades = Grade.objects.filter(assessment__course__in=courses_of(user))
    return get_object_or_404(grades.select_related("assessment__course__term"), pk=pk)


def access_student(user: User, pk: int) -> User:
    """A student's records: administrators see anyone's, a student their own, a guardian
    their children's."""
    if not _is_admin(user) and pk not in _own_students(user):
        raise Http404
    return get_object_or_404(User, pk=pk, role=Role.STUDENT)


def access_viewed_student(user: User, pk: int | None) -> User:
    """The student the "my ..." pages show: a student themself; a guardian the child named
    by `?student=` (their first child when none is named). Anyone else's id is a 404."""
    if user.has_role(Role.STUDENT):
        if pk is not None and pk != user.pk:
            raise Http404
        return user
    children = children_of(guardian=user) if user.has_role(Role.GUARDIAN) else User.objects.none()
    child = children.filter(pk=pk).first() if pk is not None else children.first()
    if child is None:
        raise Http404(gettext("No such child of yours."))
    return child


def access_invoice(user: User, pk: int) -> Invoice:
    invoices = Invoice.objects.select_related("student", "fee")
    if not _is_admin(user):
        invoices = invoices.filter(student__in=_own_students(user))
    return get_object_or_404(invoices, pk=pk)


def access_payment(user: User, pk: int) -> Payment:
    payments = Payment.objects.select_related("invoice__student", "recorded_by")
    if not _is_admin(user):
        payments = payments.filter(invoice__student__in=_own_students(user))
    return get_object_or_404(payments, pk=pk)


def access_fee(user: User, pk: int) -> FeeItem:
    if not _is_admin(user):
        raise Http404
    return get_object_or_404(FeeItem, pk=pk)


def access_group(user: User, pk: int) -> ClassGroup:
    if not _is_admin(user):
        raise Http404
    return get_object_or_404(ClassGroup, pk=pk)


def access_billing_run(user: User, pk: int) -> BillingRun:
    if not _is_admin(user):
        raise Http404
    return get_object_or_404(BillingRun.objects.select_related("fee", "group", "created_by"), pk=pk)


# --- live feeds (registered in SchoolConfig.ready) -------------------------------------------


def authorize_payments_feed(user: User, params: Mapping[str, Any]) -> int:
    # The topic is registered once for every tenant; a clinic's staff must not reach it.
    if current_tenant().kind != "school":
        raise TopicDenied(gettext("This is not a school."))
    if not _is_admin(user):
        raise TopicDenied(gettext("Only administrators may watch the payments feed."))
    return PAYMENTS_FEED_ID


# --- announcements ---------------------------------------------------------------------------
# Who may announce to whom, stated once (the form's choices, the view's check and the tests
# read it): administrators to the whole school, any level, group or current course; a teacher
# only to the current courses they teach and the groups those courses are taught to. Students
# and guardians announce nothing. A course is current until its term has ended.

ANNOUNCERS = (*SCHOOL_STAFF, Role.TEACHER)


def may_announce(user: User) -> bool:
    return user.has_role(*ANNOUNCERS)


def may_announce_widely(user: User) -> bool:
    """The whole school and its levels: administrators only."""
    return _is_admin(user)


def announceable_courses(user: User) -> QuerySet[Course]:
    if not may_announce(user):
        return Course.objects.none()
    current = courses_of(user).filter(term__ends_on__gte=tenant_today())
    return current.select_related("term").order_by("term__starts_on", "name")


def announceable_groups(user: User) -> QuerySet[ClassGroup]:
    if _is_admin(user):
        return ClassGroup.objects.order_by("level", "name")
    courses = announceable_courses(user).filter(group__isnull=False)
    return ClassGroup.objects.filter(pk__in=courses.values("group")).order_by("level", "name")


def announceable_levels(user: User) -> list[str]:
    if not may_announce_widely(user):
        return []
    levels = ClassGroup.objects.exclude(level="").values_list("level", flat=True)
    return sorted(set(levels))


def access_audience(user: User, *, scope: str, key: str) -> Audience:
    """The audience a form named (scope and the id or level it gave), if `user` may announce
    to it; a 404 for anything else, one they may not address or that does not exist alike."""
    if scope == AnnouncementScope.SCHOOL and may_announce_widely(user):
        return Audience(scope=scope)
    if scope == AnnouncementScope.LEVEL and key in announceable_levels(user):
        return Audience(scope=scope, level=key)
    if key.isascii() and key.isdigit() and len(key) < 19:
        if scope == AnnouncementScope.GROUP:
            group = announceable_groups(user).filter(pk=int(key)).first()
            if group is not None:
                return Audience(scope=scope, group=group)
        if scope == AnnouncementScope.COURSE:
            course = announceable_courses(user).filter(pk=int(key)).first()
            if course is not None:
                return Audience(scope=scope, course=course)
    raise Http404(gettext("You cannot send an announcement to that audience."))


def may_watch_reads(user: User, announcement: Announcement) -> bool:
    """Who sees how many have read an announcement: its author and administrators."""
    return announcement.author_id == user.pk or _is_admin(user)


def access_announcement(user: User, pk: int) -> Announcement:
    """An announcement's page: its author, administrators and the people it was sent to."""
    announcements = Announcement.objects.select_related("author")
    if not _is_admin(user):
        announcements = announcements.filter(
            Q(author=user)
            | Q(pk__in=AnnouncementRecipient.objects.filter(user=user).values("announcement_id"))
        )
    found = announcements.filter(pk=pk).first()
    if found is None:
        raise Http404(gettext("No such announcement."))
    return found


def authorize_announcement_reads(user: User, params: Mapping[str, Any]) -> int:
    """school.announcement: an announcement's read count, for its author and administrators."""
    if current_tenant().kind != "school":
        raise TopicDenied(gettext("This is not a school."))
    raw = params.get("announcement_id", params.get("object_id"))
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise TopicDenied(gettext("Name the announcement: params.object_id must be its id."))
    announcement = Announcement.objects.filter(pk=raw).first()
    if announcement is None or not may_watch_reads(user, announcement):
        raise TopicDenied(gettext("You may not watch this announcement."))
    return announcement.pk


def _school_admin(user: User, refusal: str) -> None:
    # The topics are registered once for every tenant; a clinic's staff must not reach them.
    if current_tenant().kind != "school":
        raise TopicDenied(gettext("This is not a school."))
    if not _is_admin(user):
        raise TopicDenied(refusal)


def authorize_totals(user: User, params: Mapping[str, Any]) -> int:
    """The overview's totals (school.totals): the school's administrators."""
    _school_admin(user, gettext("Only administrators may watch the school's totals."))
    return TOTALS_ID


def authorize_billing_run(user: User, params: Mapping[str, Any]) -> int:
    """A billing run's progress (school.billing_run): params {"run_id": id}."""
    _school_admin(user, gettext("Only administrators may watch a billing run."))
    run_id = params.get("run_id")
    if not isinstance(run_id, int) or isinstance(run_id, bool) or not 0 < run_id < 2**63:
        raise TopicDenied(gettext("Give the billing run's run_id."))
    if not BillingRun.objects.filter(pk=run_id).exists():
        raise TopicDenied(gettext("No such billing run."))
    return run_id
