from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.access import request_user, role_required
from accounts.roles import SCHOOL_STAFF
from school import access, selectors
from school.forms import GroupForm, add_service_errors
from school.models import ClassGroup
from school.services import groups as services


def _groups_page(
    request: HttpRequest,
    *,
    form: GroupForm | None = None,
    renaming: ClassGroup | None = None,
    rename_form: GroupForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "school/groups.html",
        {
            "groups": selectors.group_list(),
            "form": form or GroupForm(),
            "renaming": renaming,
            "rename_form": rename_form,
        },
        status=status,
    )


@role_required(*SCHOOL_STAFF)
def groups(request: HttpRequest) -> HttpResponse:
    """The class groups with how many students each has, and a form to create one."""
    if request.method != "POST":
        return _groups_page(request)
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            group = services.group_create(name=form.cleaned_data["name"], by=request_user(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("Group %(name)s created.") % {"name": group.name})
            return redirect("school:groups")
    return _groups_page(request, form=form, status=400)


@role_required(*SCHOOL_STAFF)
@require_POST
def group_rename(request: HttpRequest, group_id: int) -> HttpResponse:
    user = request_user(request)
    group = access.access_group(user, group_id)
    old_name = group.name
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            services.group_rename(group=group, name=form.cleaned_data["name"], by=user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("%(old)s renamed to %(new)s.") % {"old": old_name, "new": group.name},
            )
            return redirect("school:groups")
    group.name = old_name
    return _groups_page(request, renaming=group, rename_form=form, status=400)
