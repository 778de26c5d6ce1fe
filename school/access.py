"""Who may see what in the school. Objects a view may show are fetched for the signed-in user:
anything the user may not see is a 404, exactly like something that does not exist, so ids
reveal nothing. Live feeds (realtime topics) are authorised here too."""

from collections.abc import Mapping
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import SCHOOL_STAFF, Role
from realtime.topics import TopicDenied
from school.models import Course, Grade, Invoice, Payment, Term
from school.payloads import PAYMENTS_FEED_ID
from tenants.selectors import current_tenant


def _is_admin(user: User) -> bool:
    """School staff see every student's records; students only their own."""
    return user.has_role(*SCHOOL_STAFF)


def access_term(user: User, pk: int) -> Term:
    return get_object_or_404(Term, pk=pk)


def access_course(user: User, pk: int) -> Course:
    if not _is_admin(user):
        raise Http404
    return get_object_or_404(Course.objects.select_related("term", "subject"), pk=pk)


def access_grade(user: User, pk: int) -> Grade:
    if not _is_admin(user):
        raise Http404
    return get_object_or_404(Grade.objects.select_related("assessment__course__term"), pk=pk)


def access_student(user: User, pk: int) -> User:
    """A student's records: administrators see anyone's, a student only their own."""
    if not _is_admin(user) and user.pk != pk:
        raise Http404
    return get_object_or_404(User, pk=pk, role=Role.STUDENT)


def access_invoice(user: User, pk: int) -> Invoice:
    invoices = Invoice.objects.select_related("student", "fee")
    if not _is_admin(user):
        invoices = invoices.filter(student=user)
    return get_object_or_404(invoices, pk=pk)


def access_payment(user: User, pk: int) -> Payment:
    payments = Payment.objects.select_related("invoice__student", "recorded_by")
    if not _is_admin(user):
        payments = payments.filter(invoice__student=user)
    return get_object_or_404(payments, pk=pk)


# --- live feeds (registered in SchoolConfig.ready) -------------------------------------------


def authorize_payments_feed(user: User, params: Mapping[str, Any]) -> int:
    # The topic is registered once for every tenant; a clinic's staff must not reach it.
    if current_tenant().kind != "school":
        raise TopicDenied(gettext("This is not a school."))
    if not _is_admin(user):
        raise TopicDenied(gettext("Only administrators may watch the payments feed."))
    return PAYMENTS_FEED_ID
