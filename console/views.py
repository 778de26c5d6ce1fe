"""The operators' console pages and /metrics (public schema only: config.urls_public)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from prometheus_client import CONTENT_TYPE_LATEST

from config.forms import bad_input
from console.access import access_tenant, metrics_allowed, operator_required
from console.forms import (
    DeleteForm,
    DomainChangeForm,
    DomainForm,
    OnboardingForm,
    RenameForm,
    StatusForm,
    TenantLocaleForm,
)
from console.prometheus import prometheus_text
from console.selectors import (
    console_tenant_rows,
    tenant_first_administrator,
    tenant_people_counts,
    tenant_user_count,
)
from console.services import (
    tenant_domain_add,
    tenant_domain_make_primary,
    tenant_domain_remove,
    tenant_first_admin_reinvite,
)
from tenants.progress import progress_read, step_label
from tenants.selectors import customer_tenants, tenant_domain_names
from tenants.services import (
    SLUG_PATTERN,
    OnboardingError,
    tenant_create,
    tenant_delete,
    tenant_rename,
    tenant_set_locale,
    tenant_set_status,
)
from tenants.states import MOVES, can_delete, move_allowed, moves_from


@operator_required
def console_home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", {"rows": console_tenant_rows()})


@operator_required
def console_monitor(request: HttpRequest) -> HttpResponse:
    return render(request, "console/monitor.html")


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
    return render(request, "console/onboard.html", {"form": form}, status=status)


@operator_required
def tenant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if not SLUG_PATTERN.match(slug):
        # No tenant can have it (nor a progress entry): do not build a cache key from it.
        return render(request, "console/gone.html", {"slug": slug}, status=404)
    progress = progress_read(slug=slug)
    tenant = customer_tenants().filter(schema_name=slug).first()
    if tenant is None and progress is None:
        return render(request, "console/gone.html", {"slug": slug}, status=404)
    return _detail(request, slug=slug, status=200)


def _detail(
    request: HttpRequest,
    *,
    slug: str,
    status: int,
    form: DomainForm | None = None,
    refusal: ValidationError | None = None,
) -> HttpResponse:
    """A tenant's page; after a refused change, with the reason at the top (409)."""
    tenant = customer_tenants().filter(schema_name=slug).first()
    progress = progress_read(slug=slug)
    return render(
        request,
        "console/tenant.html",
        {
            "customer": tenant,
            "slug": slug,
            "domains": tenant_domain_names(tenant=tenant) if tenant else [],
            "users": tenant_user_count(tenant=tenant) if tenant else None,
            "people": tenant_people_counts(tenant=tenant) if tenant else None,
            "first_admin": tenant_first_administrator(tenant=tenant) if tenant else None,
            "moves": moves_from(tenant.status) if tenant else (),
            "deletable": bool(tenant and can_delete(tenant.status)),
            "progress": progress,
            "progress_step": step_label(progress["step"]) if progress else "",
            "domain_form": form or DomainForm(),
            "refusals": refusal.messages if refusal else [],
            # Live figures older than this page are ignored by its script (console/tenant.js).
            "rendered_at": timezone.now().isoformat(),
        },
        status=status,
    )


# What the console says once a move is done.
MOVE_DONE = {
    "suspend": gettext_lazy("%(name)s is suspended: its pages and live connections are closed."),
    "reactivate": gettext_lazy("%(name)s is active again."),
    "archive": gettext_lazy(
        "%(name)s is archived: its pages and live connections are closed; its data is kept."
    ),
    "restore": gettext_lazy("%(name)s is restored and active again."),
}


@operator_required
@require_POST
def tenant_status(request: HttpRequest, slug: str) -> HttpResponse:
    """Suspend, reactivate, archive or restore. The moves that close a tenant's pages answer
    a POST without `confirm` with the confirmation page, changing nothing."""
    tenant = access_tenant(slug=slug)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return bad_input(request, form)
    action = form.cleaned_data["action"]
    move = move_allowed(status=tenant.status, action=action)
    if move is not None and move.needs_confirmation and not form.cleaned_data["confirm"]:
        return render(request, "console/tenant_confirm.html", {"customer": tenant, "move": move})
    try:
        tenant_set_status(tenant=tenant, status=MOVES[action].target)
    except ValidationError as exc:
        return _detail(request, slug=slug, status=409, refusal=exc)
    messages.success(request, MOVE_DONE[action] % {"name": tenant.name})
    return redirect("console_tenant", slug=tenant.schema_name)


@operator_required
def tenant_rename_view(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = access_tenant(slug=slug)
    form = RenameForm(request.POST or None, initial={"name": tenant.name})
    if request.method == "POST" and form.is_valid():
        old_name = tenant.name
        try:
            tenant_rename(tenant=tenant, name=form.cleaned_data["name"])
        except OnboardingError as exc:
            form.add_error("name", exc.text)
        else:
            messages.success(
                request,
                _("%(old)s is now called %(new)s.") % {"old": old_name, "new": tenant.name},
            )
            return redirect("console_tenant", slug=slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "console/tenant_rename.html", {"customer": tenant, "form": form}, status=status
    )


@operator_required
@require_POST
def tenant_reinvite(request: HttpRequest, slug: str) -> HttpResponse:
    """A new invitation for the first administrator (while they have not accepted one)."""
    tenant = access_tenant(slug=slug)
    try:
        admin = tenant_first_admin_reinvite(tenant=tenant)
    except ValidationError as exc:
        return _detail(request, slug=slug, status=409, refusal=exc)
    messages.success(
        request, _("A new invitation is on its way to %(email)s.") % {"email": admin.email}
    )
    return redirect("console_tenant", slug=slug)


@operator_required
def tenant_delete_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Delete an archived tenant after the operator types its name (GET: the form)."""
    tenant = access_tenant(slug=slug)
    form = DeleteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                tenant_delete(tenant=tenant, typed_name=form.cleaned_data["name"])
            except ValidationError as exc:
                status = 409 if not can_delete(tenant.status) else 400
                form.add_error("name", exc.messages)
            else:
                messages.success(
                    request,
                    _("%(name)s is deleted, with all its data.") % {"name": tenant.name},
                )
                return redirect("console_home")
    return render(
        request,
        "console/tenant_delete.html",
        {"customer": tenant, "form": form, "deletable": can_delete(tenant.status)},
        status=status,
    )


@operator_required
@require_POST
def tenant_domain_create(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = access_tenant(slug=slug)
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            tenant_domain_add(tenant=tenant, domain=form.cleaned_data["domain"])
        except ValidationError as exc:
            form.add_error("domain", exc.messages)
        else:
            messages.success(
                request,
                _("%(domain)s now leads to %(name)s.")
                % {"domain": form.cleaned_data["domain"], "name": tenant.name},
            )
            return redirect("console_tenant", slug=slug)
    return _detail(request, slug=slug, form=form, status=400)


@operator_required
@require_POST
def tenant_domain_change(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = access_tenant(slug=slug)
    form = DomainChangeForm(request.POST)
    if not form.is_valid():
        return bad_input(request, form)
    changes = {"remove": tenant_domain_remove, "primary": tenant_domain_make_primary}
    try:
        changes[form.cleaned_data["action"]](tenant=tenant, domain=form.cleaned_data["domain"])
    except ValidationError as exc:
        return _detail(request, slug=slug, status=409, refusal=exc)
    return redirect("console_tenant", slug=slug)


@operator_required
def tenant_locale(request: HttpRequest, slug: str) -> HttpResponse:
    """A tenant's default language, currency and time zone (its settings after onboarding)."""
    tenant = access_tenant(slug=slug)
    current = {
        "default_language": tenant.default_language,
        "currency": tenant.currency,
        "time_zone": tenant.timezone,
    }
    form = TenantLocaleForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_set_locale(tenant=tenant, **form.cleaned_data)
        except OnboardingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.text)
        else:
            messages.success(request, _("%(name)s's settings are saved.") % {"name": tenant.name})
            return redirect("console_tenant", slug=slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "console/tenant_locale.html", {"customer": tenant, "form": form}, status=status
    )


@require_GET
def metrics_endpoint(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(
            _("Operators only: sign in, or send Authorization: Bearer <AVISO_METRICS_TOKEN>.")
            + "\n",
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="aviso-metrics"'},
            content_type="text/plain",
        )
    return HttpResponse(prometheus_text(), content_type=CONTENT_TYPE_LATEST)
