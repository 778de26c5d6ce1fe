"""My account: every user of a tenant, whatever their role, sees and changes their own name,
language, e-mail address, password (allauth's page), e-mail copies of notifications, and may
sign out everywhere."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import request_user
from accounts.language import language_for
from accounts.models import User
from people.account.forms import EmailChangeForm, NotificationChoicesForm, ProfileForm
from people.account.selectors import account_email_copies, account_pending_email
from people.account.services import (
    account_email_change_request,
    account_email_copies_set,
    account_profile_update,
)
from people.services import person_sign_out_everywhere
from tenants.selectors import current_tenant

View = TypeVar("View", bound=Callable[..., HttpResponse])


def signed_in(view: View) -> View:
    """Any signed-in user of this tenant passes; strangers go to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not isinstance(request.user, User) or not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _refused(
    request: HttpRequest, template: str, form: Any, error: ValidationError
) -> HttpResponse:
    """The form again, with the service's message on its field, answered 400."""
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
    return render(request, template, {"form": form}, status=400)


@signed_in
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    kind = current_tenant().kind
    return render(
        request,
        "people/account/overview.html",
        {
            "person": user,
            "pending_email": account_pending_email(user=user),
            "email_copies": account_email_copies(user=user, kind=kind),
        },
    )


@signed_in
@require_http_methods(["GET", "POST"])
def account_profile(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    template = "people/account/profile.html"
    if request.method == "GET":
        form = ProfileForm(initial={"full_name": user.full_name, "language": user.language})
        return render(request, template, {"form": form})
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    try:
        account_profile_update(user=user, **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, template, form, error)
    # Said in the language just chosen: the next page is in it.
    with translation.override(language_for(user, current_tenant())):
        messages.success(request, _("Your name and language are saved."))
    response = redirect("people:account")
    # The language cookie follows, so the sign-in page keeps it after signing out.
    if user.language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language)
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


@signed_in
@require_http_methods(["GET", "POST"])
def account_email(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    template = "people/account/email.html"
    if request.method == "GET":
        return render(request, template, {"form": EmailChangeForm()})
    form = EmailChangeForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    try:
        email = account_email_change_request(
            request=request, user=user, email=form.cleaned_data["email"]
        )
    except ValidationError as error:
        return _refused(request, template, form, error)
    messages.success(
        request,
        _("We sent a link to %(email)s. Your address changes when you open it.") % {"email": email},
    )
    return redirect("people:account")


@signed_in
@require_http_methods(["GET", "POST"])
def account_notifications(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    kind = current_tenant().kind
    template = "people/account/notifications.html"
    if request.method == "GET":
        chosen = [family.key for family, on in account_email_copies(user=user, kind=kind) if on]
        form = NotificationChoicesForm(kind=kind, initial={"email_copy": chosen})
        return render(request, template, {"form": form})
    form = NotificationChoicesForm(request.POST, kind=kind)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    try:
        account_email_copies_set(user=user, kind=kind, wanted=set(form.cleaned_data["email_copy"]))
    except ValidationError as error:
        return _refused(request, template, form, error)
    messages.success(request, _("Your e-mail choices are saved."))
    return redirect("people:account")


@signed_in
@require_http_methods(["GET", "POST"])
def account_sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST ends every session of the user (their other browsers
    and devices, and each open page's socket), then this browser's too."""
    user = request_user(request)
    if request.method == "GET":
        return render(request, "people/account/sign_out_everywhere.html")
    person_sign_out_everywhere(person=user)
    logout(request)
    messages.success(request, _("You are signed out everywhere."))
    return redirect("account_login")
