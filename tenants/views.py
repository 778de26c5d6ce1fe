from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tenants.access import access_tenant, operator_required
from tenants.forms import OnboardingForm
from tenants.models import TenantStatus
from tenants.progress import progress_read
from tenants.selectors import customer_tenants, tenant_domain_names
from tenants.services import OnboardingError, tenant_create, tenant_set_status


@operator_required
def console_home(request: HttpRequest) -> HttpResponse:
    tenants = customer_tenants().prefetch_related("domains").order_by("-created_at")
    return render(request, "tenants/console_home.html", {"tenants": tenants})


@operator_required
def tenant_onboard(request: HttpRequest) -> HttpResponse:
    form = OnboardingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = tenant_create(**form.cleaned_data)
        except OnboardingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.text)
        else:
            return redirect("console_tenant", slug=tenant.schema_name)
    status = 400 if request.method == "POST" else 200
    return render(request, "tenants/console_onboard.html", {"form": form}, status=status)


@operator_required
def tenant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    progress = progress_read(slug=slug)
    tenant = customer_tenants().filter(schema_name=slug).first()
    if tenant is None and progress is None:
        return render(request, "tenants/console_gone.html", {"slug": slug}, status=404)
    return render(
        request,
        "tenants/console_tenant.html",
        {
            "tenant": tenant,
            "slug": slug,
            "domains": tenant_domain_names(tenant=tenant) if tenant else [],
            "progress": progress,
        },
    )


@operator_required
def tenant_progress(request: HttpRequest, slug: str) -> HttpResponse:
    progress = progress_read(slug=slug)
    if progress is None:
        return JsonResponse({"error": "no provisioning of that tenant is known"}, status=404)
    return JsonResponse(progress)


@operator_required
@require_POST
def tenant_status(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = access_tenant(slug=slug)
    action = request.POST.get("action")
    targets = {"suspend": TenantStatus.SUSPENDED, "reactivate": TenantStatus.ACTIVE}
    if action not in targets:
        return HttpResponse("action must be 'suspend' or 'reactivate'", status=400)
    try:
        tenant_set_status(tenant=tenant, status=targets[action])
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=409)
    return redirect("console_tenant", slug=tenant.schema_name)
