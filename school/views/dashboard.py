from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import request_user, role_required
from accounts.roles import SCHOOL_STAFF, Role
from school.selectors import admin_overview, course_list, guardian_overview, student_overview
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
