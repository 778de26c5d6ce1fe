from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import request_user, role_required
from accounts.roles import SCHOOL_STAFF
from school import access, selectors
from school.errors import Conflict
from school.forms import (
    FeeForm,
    InvoiceCancelForm,
    InvoiceFilterForm,
    InvoiceIssueForm,
    PageForm,
    PaymentForm,
    add_service_errors,
)
from school.models import Invoice
from school.services import invoices as services
from school.views.common import FAMILY, error_status, family_context, viewed_student


@role_required(*SCHOOL_STAFF)
def fees(request: HttpRequest) -> HttpResponse:
    """The fee catalogue, with a form to add a fee."""
    form = FeeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                fee = services.fee_create(**form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, gettext("%(fee)s added to the catalogue.") % {"fee": fee.name}
                )
                return redirect("school:fees")
    return render(
        request, "school/fees.html", {"form": form, "fees": selectors.fee_list()}, status=status
    )


@role_required(*SCHOOL_STAFF)
def fee_edit(request: HttpRequest, fee_id: int) -> HttpResponse:
    """A fee's name and amount, for the invoices issued from now on."""
    user = request_user(request)
    fee = access.access_fee(user, fee_id)
    form = FeeForm(request.POST or None, initial={"name": fee.name, "amount": fee.amount})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.fee_update(fee=fee, by=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, gettext("%(fee)s saved.") % {"fee": fee.name})
                return redirect("school:fees")
    return render(request, "school/fee_edit.html", {"form": form, "fee": fee}, status=status)


def _fee_set_active(request: HttpRequest, fee_id: int, *, active: bool) -> HttpResponse:
    user = request_user(request)
    fee = access.access_fee(user, fee_id)
    try:
        services.fee_set_active(fee=fee, active=active, by=user)
    except ValidationError as exc:
        return render(
            request,
            "school/fees.html",
            {"form": FeeForm(), "fees": selectors.fee_list(), "general_errors": exc.messages},
            status=error_status(exc),
        )
    done = (
        gettext("%(fee)s is back in the catalogue.")
        if active
        else gettext("%(fee)s is out of the catalogue: it is no longer offered for new invoices.")
    )
    messages.success(request, done % {"fee": fee.name})
    return redirect("school:fees")


@role_required(*SCHOOL_STAFF)
@require_POST
def fee_deactivate(request: HttpRequest, fee_id: int) -> HttpResponse:
    return _fee_set_active(request, fee_id, active=False)


@role_required(*SCHOOL_STAFF)
@require_POST
def fee_reactivate(request: HttpRequest, fee_id: int) -> HttpResponse:
    return _fee_set_active(request, fee_id, active=True)


@role_required(*SCHOOL_STAFF)
@require_GET
def invoices(request: HttpRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "status": data["status"],
            "student_id": data["student"].pk if data["student"] else None,
            "search": data["q"],
            "due_from": data["due_from"],
            "due_to": data["due_to"],
        }
    paging = PageForm(request.GET)
    number = paging.cleaned_data["page"] if paging.is_valid() else None
    page = Paginator(selectors.invoice_list(**filters), 50).get_page(number or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "school/invoices.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=200 if (form.is_valid() or not form.is_bound) and paging.is_valid() else 400,
    )


@role_required(*SCHOOL_STAFF)
def invoice_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = InvoiceIssueForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                invoice = services.invoice_issue(
                    student=data["student"],
                    fee=data["fee"],
                    amount=data["amount"],
                    description=data["description"],
                    due_on=data["due_on"],
                    by=user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = error_status(exc)
            else:
                messages.success(
                    request,
                    gettext("%(invoice)s issued to %(student)s.")
                    % {"invoice": invoice.number, "student": invoice.student},
                )
                return redirect("school:invoice_detail", invoice_id=invoice.pk)
    return render(request, "school/invoice_new.html", {"form": form}, status=status)


def _invoice_page(
    request: HttpRequest,
    invoice: Invoice,
    *,
    form: PaymentForm | None = None,
    cancel_form: InvoiceCancelForm | None = None,
    general_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "school/invoice_detail.html",
        {
            "invoice": invoice,
            "payments": selectors.invoice_payments(invoice=invoice),
            "form": form or PaymentForm(initial={"amount": invoice.balance}),
            "cancel_form": cancel_form or InvoiceCancelForm(),
            "general_errors": general_errors or [],
        },
        status=status,
    )


@role_required(*SCHOOL_STAFF)
@require_GET
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = access.access_invoice(request_user(request), invoice_id)
    return _invoice_page(request, invoice)


@role_required(*SCHOOL_STAFF)
@require_POST
def payment_record(request: HttpRequest, invoice_id: int) -> HttpResponse:
    user = request_user(request)
    invoice = access.access_invoice(user, invoice_id)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            payment = services.payment_record(invoice=invoice, by=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _invoice_page(request, invoice, form=form, status=error_status(exc))
        messages.success(
            request,
            gettext("Payment recorded: receipt %(receipt)s.") % {"receipt": payment.receipt_number},
        )
        return redirect("school:invoice_detail", invoice_id=invoice.pk)
    return _invoice_page(request, invoice, form=form, status=400)


@role_required(*SCHOOL_STAFF)
@require_POST
def invoice_cancel(request: HttpRequest, invoice_id: int) -> HttpResponse:
    user = request_user(request)
    invoice = access.access_invoice(user, invoice_id)
    form = InvoiceCancelForm(request.POST)
    if not form.is_valid():
        return _invoice_page(request, invoice, cancel_form=form, status=400)
    try:
        services.invoice_cancel(invoice=invoice, reason=form.cleaned_data["reason"], by=user)
    except ValidationError as exc:
        if isinstance(exc, Conflict):
            # Shown above the page: the invoice's state, not the reason, is the problem.
            return _invoice_page(request, invoice, general_errors=exc.messages, status=409)
        add_service_errors(form, exc)
        return _invoice_page(request, invoice, cancel_form=form, status=400)
    messages.success(request, gettext("%(invoice)s cancelled.") % {"invoice": invoice.number})
    return redirect("school:invoice_detail", invoice_id=invoice.pk)


# How many payments the live feed shows.
FEED_LENGTH = 50


@role_required(*SCHOOL_STAFF)
@require_GET
def payments_feed(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "school/payments_feed.html",
        {"payments": selectors.payments_recent(limit=FEED_LENGTH)},
    )


@role_required(*SCHOOL_STAFF)
@require_GET
def payments_feed_fragment(request: HttpRequest) -> HttpResponse:
    """The feed's table alone, rendered by the page's own template: the page swaps it in when a
    payment event arrives and after a reconnect (topic events are not replayed)."""
    return render(
        request,
        "school/_payments_feed.html",
        {"payments": selectors.payments_recent(limit=FEED_LENGTH)},
    )


@role_required(*SCHOOL_STAFF)
@require_GET
def payments_feed_json(request: HttpRequest) -> HttpResponse:
    """The latest payments as JSON (the rows the topic's events carry)."""
    return JsonResponse(selectors.payments_feed_json(limit=FEED_LENGTH))


@role_required(*SCHOOL_STAFF, *FAMILY)
@require_GET
def receipt(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = access.access_payment(request_user(request), payment_id)
    return render(request, "school/receipt.html", {"payment": payment, "invoice": payment.invoice})


# --- students and guardians ----------------------------------------------------------------


def _my_invoices(request: HttpRequest) -> dict[str, Any]:
    student = viewed_student(request)
    return {
        "invoices": selectors.student_invoices(student=student).prefetch_related("payments"),
        "balance_text": selectors.student_balance_text(student=student),
        **family_context(request, student),
    }


@role_required(*FAMILY)
@require_GET
def my_invoices(request: HttpRequest) -> HttpResponse:
    return render(request, "school/my_invoices.html", _my_invoices(request))


@role_required(*FAMILY)
@require_GET
def my_invoices_fragment(request: HttpRequest) -> HttpResponse:
    """The page's balance and invoices alone, rendered by the page's own template: the page
    swaps it in when an invoice or payment notification arrives and after a reconnect."""
    return render(request, "school/_my_invoices.html", _my_invoices(request))


@role_required(*FAMILY)
@require_GET
def my_balance_json(request: HttpRequest) -> HttpResponse:
    """The "my invoices" state as JSON (the balance and each invoice as notifications carry it)."""
    return JsonResponse(selectors.balance_json(student=viewed_student(request)))
