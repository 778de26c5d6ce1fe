import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import request_user, role_required
from accounts.models import User
from accounts.roles import SCHOOL_STAFF, Role
from config.forms import IdField
from school import access, grading, selectors
from school.forms import (
    AssessmentForm,
    CourseTeachersForm,
    GradingSettingsForm,
    add_service_errors,
    score_field,
)
from school.models import Course, GradingSettings, Term
from school.services import grades as services
from school.views.common import FAMILY, error_status, family_context, viewed_student

# A gradebook cell's name (school.payloads.cell_key): ASCII ids, at most 18 digits (a bigint).
CELL = re.compile(r"g-([1-9][0-9]{0,17})-([1-9][0-9]{0,17})", re.ASCII)


# Who grades: administrators every course, a teacher the courses they teach (school.access).
GRADERS = (*SCHOOL_STAFF, Role.TEACHER)


def _courses_page(
    request: HttpRequest, *, general_errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    admin = user.has_role(*SCHOOL_STAFF)
    courses = selectors.course_list(taught_by=None if admin else user)
    return render(
        request,
        "school/courses.html",
        {
            "terms": selectors.term_list(),
            "courses": courses,
            "is_admin": admin,
            "teachers": selectors.teachers() if admin else [],
            "general_errors": general_errors or [],
        },
        status=status,
    )


@role_required(*GRADERS)
@require_GET
def courses(request: HttpRequest) -> HttpResponse:
    return _courses_page(request)


@role_required(*SCHOOL_STAFF)
@require_POST
def course_teachers(request: HttpRequest, course_id: int) -> HttpResponse:
    """Assign the course's teachers (the courses page's small form per course)."""
    user = request_user(request)
    course = access.access_course(user, course_id)
    form = CourseTeachersForm(request.POST)
    if not form.is_valid():
        errors = [str(m) for field in form.errors.values() for m in field]
        return _courses_page(request, general_errors=errors, status=400)
    try:
        chosen = services.course_set_teachers(
            course=course, teachers=form.cleaned_data["teachers"], by=user
        )
    except ValidationError as exc:
        return _courses_page(request, general_errors=exc.messages, status=400)
    messages.success(
        request,
        ngettext(
            "%(course)s now has %(count)d teacher.",
            "%(course)s now has %(count)d teachers.",
            len(chosen),
        )
        % {"course": course.name, "count": len(chosen)},
    )
    return redirect("school:courses")


def _gradebook_page(
    request: HttpRequest,
    course: Course,
    *,
    submitted: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    general_errors: list[str] | None = None,
    assessment_form: AssessmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    assessments, rows = selectors.gradebook(course=course, submitted=submitted)
    return render(
        request,
        "school/gradebook.html",
        {
            "course": course,
            "entry_open": selectors.term_entry_open(course.term),
            "assessments": assessments,
            "rows": rows,
            "errors": errors or {},
            "general_errors": general_errors or [],
            "assessment_form": assessment_form or AssessmentForm(),
        },
        status=status,
    )


@role_required(*GRADERS)
def gradebook(request: HttpRequest, course_id: int) -> HttpResponse:
    user = request_user(request)
    course = access.access_course(user, course_id)
    if request.method != "POST":
        return _gradebook_page(request, course)
    submitted = {k: request.POST.get(k, "") for k in request.POST if CELL.fullmatch(k)}
    scores: dict[tuple[int, int], str] = {}
    unreadable: dict[str, list[str]] = {}
    score, ids = score_field(), IdField()
    for key, value in submitted.items():
        match = CELL.fullmatch(key)
        assert match
        try:
            cleaned = score.clean(value)
        except ValidationError as exc:
            unreadable[key] = exc.messages
            continue
        # The service reads a cell's text ("" removes a draft).
        scores[(ids.clean(match[1]), ids.clean(match[2]))] = "" if cleaned is None else str(cleaned)
    if unreadable:
        return _gradebook_page(request, course, submitted=submitted, errors=unreadable, status=400)
    try:
        saved = services.gradebook_save(course=course, scores=scores, by=user)
    except ValidationError as exc:
        cell_errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        general = [] if cell_errors else exc.messages
        return _gradebook_page(
            request,
            course,
            submitted=submitted,
            errors=cell_errors,
            general_errors=general,
            status=error_status(exc),
        )
    messages.success(
        request,
        ngettext(
            "Saved %(count)d change as a draft.", "Saved %(count)d changes as drafts.", saved.total
        )
        % {"count": saved.total},
    )
    return redirect("school:gradebook", course_id=course.pk)


@role_required(*GRADERS)
@require_POST
def assessment_add(request: HttpRequest, course_id: int) -> HttpResponse:
    user = request_user(request)
    course = access.access_course(user, course_id)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_create(course=course, by=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("school:gradebook", course_id=course.pk)
    return _gradebook_page(request, course, assessment_form=form, status=400)


@role_required(*GRADERS)
@require_POST
def course_publish(request: HttpRequest, course_id: int) -> HttpResponse:
    user = request_user(request)
    course = access.access_course(user, course_id)
    try:
        published = services.course_publish(course=course, by=user)
    except ValidationError as exc:
        return _gradebook_page(
            request, course, general_errors=exc.messages, status=error_status(exc)
        )
    if published:
        messages.success(
            request,
            ngettext(
                "Published %(count)d grade; the student was notified.",
                "Published %(count)d grades; students were notified.",
                len(published),
            )
            % {"count": len(published)},
        )
    else:
        messages.info(request, gettext("There were no draft grades to publish."))
    return redirect("school:gradebook", course_id=course.pk)


@role_required(*GRADERS)
@require_POST
def grade_publish(request: HttpRequest, grade_id: int) -> HttpResponse:
    user = request_user(request)
    grade = access.access_grade(user, grade_id)
    course = grade.assessment.course
    try:
        services.grade_publish(grade=grade, by=user)
    except ValidationError as exc:
        return _gradebook_page(
            request, course, general_errors=exc.messages, status=error_status(exc)
        )
    messages.success(request, gettext("Grade published; the student was notified."))
    return redirect("school:gradebook", course_id=course.pk)


@role_required(*SCHOOL_STAFF)
@require_POST
def term_publish(request: HttpRequest, term_id: int) -> HttpResponse:
    user = request_user(request)
    term = access.access_term(user, term_id)
    try:
        published = services.term_publish(term=term, by=user)
    except ValidationError as exc:
        return _courses_page(request, general_errors=exc.messages, status=error_status(exc))
    messages.success(
        request,
        ngettext(
            "Published %(count)d grade of %(term)s.",
            "Published %(count)d grades of %(term)s.",
            len(published),
        )
        % {"count": len(published), "term": term},
    )
    return redirect("school:courses")


# --- the school's grade scale ----------------------------------------------------------------


@role_required(Role.ADMINISTRATOR)
def setup_grading(request: HttpRequest) -> HttpResponse:
    """The grade scale and decimals (an optional setup step: a school that skips it writes
    grades as percentages)."""
    user = request_user(request)
    scale = grading.school_scale()
    if request.method != "POST":
        form = GradingSettingsForm(initial={"scale": scale.kind, "decimals": scale.decimals})
        status = 200
    else:
        form = GradingSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.grading_settings_save(by=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, gettext("Grade scale saved: every page uses it now."))
                return redirect("school:setup_grading")
        status = 400
    return render(
        request,
        "school/setup/grading.html",
        {
            "form": form,
            "chosen": GradingSettings.objects.filter(pk=1).exists(),
            "examples": grading.examples(scale),
        },
        status=status,
    )


# --- students and guardians ----------------------------------------------------------------


@role_required(*FAMILY)
@require_GET
def my_grades(request: HttpRequest) -> HttpResponse:
    student = viewed_student(request)
    return render(
        request,
        "school/my_grades.html",
        {
            "terms": selectors.student_grades(student=student),
            **family_context(request, student),
        },
    )


@role_required(*FAMILY)
@require_GET
def my_grades_fragment(request: HttpRequest) -> HttpResponse:
    """The page's grades alone, rendered by the page's own template: the page swaps it in when
    a grade notification arrives and after a reconnect (one source of markup and averages)."""
    student = viewed_student(request)
    return render(
        request,
        "school/_my_grades.html",
        {
            "terms": selectors.student_grades(student=student),
            **family_context(request, student),
        },
    )


@role_required(*FAMILY)
@require_GET
def my_grades_json(request: HttpRequest) -> HttpResponse:
    """The "my grades" state as JSON (same numbers as the page, decimals as strings)."""
    return JsonResponse(selectors.grades_json(student=viewed_student(request)))


def _report(request: HttpRequest, student: User, term: Term) -> HttpResponse:
    report = selectors.term_report(student=student, term=term)
    return render(
        request, "school/term_report.html", {"student": student, "term": term, "report": report}
    )


@role_required(*FAMILY)
@require_GET
def my_term_report(request: HttpRequest, term_id: int) -> HttpResponse:
    student = viewed_student(request)
    return _report(request, student, access.access_term(request_user(request), term_id))


@role_required(*SCHOOL_STAFF)
@require_GET
def student_term_report(request: HttpRequest, term_id: int, student_id: int) -> HttpResponse:
    user = request_user(request)
    return _report(
        request, access.access_student(user, student_id), access.access_term(user, term_id)
    )
