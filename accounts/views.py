from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.access import request_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each tenant's front door: its kind's dashboard, which shows what the role may do."""
    request_user(request)
    return redirect(f"{request.tenant.kind}:dashboard")  # type: ignore[attr-defined]
