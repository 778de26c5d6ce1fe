"""Objects a view may show, fetched for the signed-in user. Anything the user may not see is a
404, exactly like something that does not exist, so ids reveal nothing."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.roles import Role
from school.models import Course, Grade, Invoice, Payment, Term


def _is_admin(user: User) -> bool:
    return user.has_role(Role.ADMINISTRATOR)


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
