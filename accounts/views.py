from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.access import request_user
from accounts.forms import LanguageForm
from accounts.models import User
from accounts.services import user_set_language
from config.forms import bad_input


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each tenant's front door: its kind's dashboard, which shows what the role may do."""
    request_user(request)
    return redirect(f"{request.tenant.kind}:dashboard")  # type: ignore[attr-defined]


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The language chooser: a signed-in user's choice is saved on their account (so e-mails
    and notifications follow it too); everyone's is kept in Django's language cookie (so the
    sign-in page keeps it after signing out). Back to `next` when it is a page of this site."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return bad_input(request, form)
    if isinstance(request.user, User):
        user_set_language(user=request.user, language=form.cleaned_data["language"])
    # Django's own view sets the cookie and checks that `next` stays on this host.
    return set_language(request)
