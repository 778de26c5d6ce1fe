from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import request_user, role_required
from accounts.roles import SCHOOL_STAFF, Role
from school.selectors import admin_overview, student_overview
from school.selectors_structure import setup_overview


@role_required(*SCHOOL_STAFF, Role.STUDENT)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each role's overview: administrators the school's state, students their own."""
    user = request_user(request)
    if user.role in SCHOOL_STAFF:
        # A school still being set up sees the checklist first.
        overview = {**admin_overview(), **setup_overview()}
        return render(request, "school/dashboard_admin.html", overview)
    return render(request, "school/dashboard_student.html", student_overview(student=user))
