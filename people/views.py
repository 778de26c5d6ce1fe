"""The people pages: a people manager lists, adds, invites, re-roles, deactivates and deletes
the tenant's people. Each view parses its input with a form, checks access (people.access),
calls one service and answers; a refused action shows its reason on the person's page (400)."""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import request_user
from accounts.models import User
from accounts.roles import Role
from config.csv_export import Cell, csv_response, export_filename
from config.forms import bad_input
from people import selectors, services
from people.access import access_person, people_manager_required
from people.forms import PeopleFilterForm, PersonAddForm, RoleChangeForm, add_service_errors
from tenants import clock
from tenants.selectors import current_tenant

PAGE_SIZE = 50


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A people page in the tenant's own layout (templates/<kind>/_base.html)."""
    kind = current_tenant().kind
    context = {"people_base": f"{kind}/_base.html", "kind": kind, **context}
    return render(request, template, context, status=status)


@people_manager_required
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None, kind=current_tenant().kind)
    if form.is_bound and not form.is_valid():
        return bad_input(request, form)
    data = form.cleaned_data if form.is_bound else {}
    people = selectors.people_list(
        search=data.get("q") or "", role=data.get("role") or "", status=data.get("status") or ""
    )
    page = Paginator(people, PAGE_SIZE).get_page(data.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    filtered = any(data.get(name) for name in ("q", "role", "status"))
    return _render(
        request,
        "people/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "filtered": filtered},
    )


@people_manager_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    kind = current_tenant().kind
    roles = services.grantable_roles(by=user)
    # A link may preselect the role ("Add a dentist" on the clinic's setup checklist).
    wanted = request.GET.get("role")
    initial = {"role": wanted} if wanted in roles else {}
    form = PersonAddForm(request.POST or None, kind=kind, roles=roles, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = services.person_add(
                    email=data["email"],
                    role=data["role"],
                    full_name=data["full_name"],
                    invited_by=user,
                    enrolment_number=data.get("enrolment_number") or "",
                    group=data.get("group"),
                    children=list(data.get("children") or [])
                    if data["role"] == Role.GUARDIAN
                    else [],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    gettext("%(name)s added; an invitation is on its way to %(email)s.")
                    % {"name": person.display_name, "email": person.email},
                )
                return redirect("people:detail", person_id=person.pk)
    return _render(request, "people/add.html", {"form": form}, status=status)


def _detail(
    request: HttpRequest,
    person: User,
    *,
    role_form: RoleChangeForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    kind = current_tenant().kind
    roles = [r for r in services.grantable_roles(by=user) if r != person.role]
    deletable, _reason = services.person_deletable(person=person, by=user)
    context = {
        "person": person,
        "record": getattr(person, "student_record", None) if person.role == Role.STUDENT else None,
        "children": selectors.person_children(guardian=person)
        if person.role == Role.GUARDIAN
        else [],
        "guardians": selectors.person_guardians(student=person)
        if person.role == Role.STUDENT
        else [],
        "may_act": person.role in services.grantable_roles(by=user) and person.pk != user.pk,
        "deletable": deletable,
        "other_roles": roles,
        "role_form": role_form or RoleChangeForm(kind=kind, roles=roles),
        "general_errors": errors or [],
    }
    return _render(request, "people/detail.html", context, status=status)


def _refused(request: HttpRequest, person: User, exc: ValidationError) -> HttpResponse:
    return _detail(request, person, errors=exc.messages, status=400)


@people_manager_required
@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person(by=request_user(request), pk=person_id)
    return _detail(request, person)


@people_manager_required
@require_POST
def person_resend(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = access_person(by=user, pk=person_id)
    try:
        services.person_invite_again(person=person, by=user)
    except ValidationError as exc:
        return _refused(request, person, exc)
    messages.success(
        request,
        gettext("A new invitation is on its way to %(email)s.") % {"email": person.email},
    )
    return redirect("people:detail", person_id=person.pk)


@people_manager_required
@require_POST
def person_role(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = access_person(by=user, pk=person_id)
    roles = services.grantable_roles(by=user)
    form = RoleChangeForm(request.POST, kind=current_tenant().kind, roles=roles)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.person_change_role(
                person=person,
                role=data["role"],
                by=user,
                enrolment_number=data.get("enrolment_number") or "",
                group=data.get("group"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("%(name)s is now %(role)s; they were signed out everywhere.")
                % {"name": person.display_name, "role": person.get_role_display()},
            )
            return redirect("people:detail", person_id=person.pk)
    person.refresh_from_db()
    return _detail(request, person, role_form=form, status=400)


@people_manager_required
@require_http_methods(["GET", "POST"])
def person_deactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    """GET asks to confirm (a page of its own: no script needed); POST deactivates."""
    user = request_user(request)
    person = access_person(by=user, pk=person_id)
    if request.method == "GET":
        return _render(request, "people/confirm.html", {"person": person, "action": "deactivate"})
    try:
        services.person_deactivate(person=person, by=user)
    except ValidationError as exc:
        return _refused(request, person, exc)
    messages.success(
        request,
        gettext("%(name)s is deactivated and signed out everywhere; their history is kept.")
        % {"name": person.display_name},
    )
    return redirect("people:detail", person_id=person.pk)


@people_manager_required
@require_POST
def person_reactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = access_person(by=user, pk=person_id)
    try:
        services.person_reactivate(person=person, by=user)
    except ValidationError as exc:
        return _refused(request, person, exc)
    messages.success(
        request, gettext("%(name)s can sign in again.") % {"name": person.display_name}
    )
    return redirect("people:detail", person_id=person.pk)


@people_manager_required
@require_http_methods(["GET", "POST"])
def person_delete(request: HttpRequest, person_id: int) -> HttpResponse:
    """GET asks to confirm (or says why not); POST deletes."""
    user = request_user(request)
    person = access_person(by=user, pk=person_id)
    if request.method == "GET":
        deletable, reason = services.person_deletable(person=person, by=user)
        if not deletable:
            return _refused(request, person, ValidationError(reason))
        return _render(request, "people/confirm.html", {"person": person, "action": "delete"})
    try:
        services.person_delete(person=person, by=user)
    except ValidationError as exc:
        return _refused(request, person, exc)
    messages.success(
        request,
        gettext("%(name)s (%(email)s) is deleted.")
        % {"name": person.display_name, "email": person.email},
    )
    return redirect("people:list")


# --- the list as a CSV download (exports) -----------------------------------------------------


@people_manager_required
@require_GET
def people_list_csv(request: HttpRequest) -> HttpResponse:
    """The people the list shows for the same query string, every page of them
    (config.csv_export says what the file holds)."""
    tenant = current_tenant()
    form = PeopleFilterForm(request.GET or None, kind=tenant.kind)
    if form.is_bound and not form.is_valid():
        return bad_input(request, form)
    data = form.cleaned_data if form.is_bound else {}
    people = selectors.people_list(
        search=data.get("q") or "", role=data.get("role") or "", status=data.get("status") or ""
    )
    school = tenant.kind == "school"
    header = [gettext("Name"), gettext("E-mail"), gettext("Role")]
    if school:
        header += [gettext("Enrolment number"), gettext("Group")]
    header += [gettext("Status"), gettext("Joined")]
    rows: list[list[Cell]] = []
    for p in people:
        row: list[Cell] = [p.display_name, p.email, p.get_role_display()]
        if school:
            # The list's select_related read the record (or its absence) with the person.
            record = getattr(p, "student_record", None)
            row += [
                record.enrolment_number if record else None,
                record.group.name if record and record.group else None,
            ]
        # The day they joined on the tenant's calendar.
        row += [str(p.status.label), clock.local(p.date_joined).date()]
        rows.append(row)
    filename = export_filename(slug=tenant.slug, what="people", on=clock.today())
    response = csv_response(request, filename=filename, header=header, rows=rows)
    # people_manager_required is typed for HttpResponse; a streaming one answers just the same.
    return cast(HttpResponse, response)
