from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import request_user, role_required
from accounts.roles import ROLES_BY_KIND


@role_required(*ROLES_BY_KIND["clinic"])
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/dashboard.html", {"user": request_user(request)})
