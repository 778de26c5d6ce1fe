from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import request_user, role_required
from accounts.roles import SCHOOL_STAFF, Role
from school.selectors import (
    admin_overview,
    admin_totals,
    course_list,
    guardian_overview,
    student_overview,
)
from school.selectors_structure import setup_overview


@role_required(*SCHOOL_STAFF, Role.TEACHER, Role.STUDENT, Role.GUARDIAN)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each role's overview: administrators the school's state, a teacher their courses,
    students their own records, a guardian each child's."""
    user = request_user(request)
    if user.role in SCHOOL_STAFF:
        # A school still being set up sees the checklist first.
        overview = {**admin_overview(), **setup_overview()}
        return render(request, "school/dashboard_admin.html", overview)
    if user.role == Role.TEACHER:
        return render(
            request, "school/dashboard_teacher.html", {"courses": course_list(taught_by=user)}
        )
    if user.role == Role.GUARDIAN:
        return render(request, "school/dashboard_guardian.html", guardian_overview(guardian=user))
    return render(request, "school/dashboard_student.html", student_overview(student=user))


@role_required(*SCHOOL_STAFF, Role.STUDENT, Role.GUARDIAN)
@require_GET
def dashboard_totals(request: HttpRequest) -> HttpResponse:
    """The overview's totals alone, as the overview shows them: the page swaps them in when
    they change (school/overview.js), so the figures are computed here, never in the page."""
    user = request_user(request)
    if user.role in SCHOOL_STAFF:
        return render(request, "school/_admin_totals.html", admin_totals())
    if user.role == Role.GUARDIAN:
        return render(request, "school/_guardian_totals.html", guardian_overview(guardian=user))
    return render(request, "school/_student_totals.html", student_overview(student=user))
