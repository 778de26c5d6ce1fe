"""Billing runs: the list, the "New billing run" form, and a run's page (live progress while it
runs, then what it issued and skipped). School administrators only."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.access import request_user, role_required
from accounts.roles import SCHOOL_STAFF
from school import access
from school.clock import tenant_currency
from school.forms import add_service_errors
from school.forms_billing import BillingRunForm
from school.models import BillingRun
from school.payloads import BILLING_RUN_TOPIC
from school.selectors_billing import (
    billing_run_issued,
    billing_run_list,
    billing_run_progress,
    billing_run_skipped,
)
from school.services.billing_runs import RunExists, billing_run_start
from school.views.common import error_status


@role_required(*SCHOOL_STAFF)
@require_GET
def billing_runs(request: HttpRequest) -> HttpResponse:
    return render(request, "school/billing_runs.html", {"runs": billing_run_list()[:100]})


@role_required(*SCHOOL_STAFF)
def billing_run_new(request: HttpRequest) -> HttpResponse:
    form = BillingRunForm(request.POST or None)
    status, existing = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = billing_run_start(
                    fee=data["fee"],
                    due_on=data["due_on"],
                    by=request_user(request),
                    **data["audience"],
                )
            except RunExists as exc:
                existing = exc.run
                form.add_error(None, exc.messages)
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = error_status(exc)
            else:
                return redirect("school:billing_run", run_id=run.pk)
    return render(
        request, "school/billing_run_new.html", {"form": form, "existing": existing}, status=status
    )


def _run_context(run: BillingRun) -> dict[str, Any]:
    progress = billing_run_progress(run=run)
    context: dict[str, Any] = {
        "run": run,
        "progress": progress,
        "topic": BILLING_RUN_TOPIC,
        "currency": tenant_currency(),
    }
    if run.is_finished:
        context["issued"] = billing_run_issued(run=run)
        context["skipped"] = billing_run_skipped(run=run)
    return context


@role_required(*SCHOOL_STAFF)
@require_GET
def billing_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access.access_billing_run(request_user(request), run_id)
    return render(request, "school/billing_run.html", _run_context(run))


@role_required(*SCHOOL_STAFF)
@require_GET
def billing_run_fragment(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's state alone, as its page shows it: swapped in when the run ends and after
    every reconnect (progress events are not replayed)."""
    run = access.access_billing_run(request_user(request), run_id)
    return render(request, "school/_billing_run_status.html", _run_context(run))
