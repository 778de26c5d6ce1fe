"""The administrators' setup pages: the checklist a new school follows, and the pages that make
its calendar and structure (each list with its add form; bad input answers 400 with the form
and its messages, a rule the records' state forbids 409)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import request_user, role_required
from accounts.roles import Role
from school import selectors_structure as selectors
from school.forms import add_service_errors
from school.forms_setup import (
    CourseForm,
    CourseTeachersForm,
    GroupEnrolForm,
    GroupForm,
    SchoolYearForm,
    StudentCourseForm,
    StudentGroupForm,
    SubjectForm,
    TermEditForm,
    TermForm,
)
from school.models import ClassGroup, Course, SchoolYear, Subject, Term
from school.services import grades, structure
from school.services.groups import group_create, group_delete
from school.views.common import error_status

admin_only = role_required(Role.ADMINISTRATOR)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, f"school/setup/{template}", context, status=status)


def _create(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    service: Callable[..., Any],
    done: Callable[[Any], str],
    redirect_to: str,
    page: Callable[[forms.Form, int], HttpResponse],
) -> HttpResponse:
    """GET shows the list and an empty form; POST parses, calls the service, and redirects
    (or shows the form again with its messages)."""
    if request.method != "POST":
        return page(form_class(), 200)
    form = form_class(request.POST)
    if not form.is_valid():
        return page(form, 400)
    try:
        made = service(**form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return page(form, error_status(exc))
    messages.success(request, done(made))
    return redirect(redirect_to)


@admin_only
@require_GET
def setup(request: HttpRequest) -> HttpResponse:
    return _page(request, "checklist.html", selectors.setup_overview())


# --- school years ----------------------------------------------------------------------------


def _years_page(request: HttpRequest, form: forms.Form | None, status: int) -> HttpResponse:
    context = {"form": form or SchoolYearForm(), "years": selectors.school_year_list()}
    return _page(request, "years.html", context, status)


@admin_only
def setup_years(request: HttpRequest) -> HttpResponse:
    return _create(
        request,
        form_class=SchoolYearForm,
        service=structure.school_year_create,
        done=lambda year: gettext("School year %(year)s added.") % {"year": year},
        redirect_to="school:setup_years",
        page=lambda form, status: _years_page(request, form, status),
    )


@admin_only
def setup_year_edit(request: HttpRequest, year_id: int) -> HttpResponse:
    year = get_object_or_404(SchoolYear, pk=year_id)
    initial = {"name": year.name, "starts_on": year.starts_on, "ends_on": year.ends_on}
    if request.method != "POST":
        return _page(request, "year_edit.html", {"year": year, "form": SchoolYearForm(initial)})
    form = SchoolYearForm(request.POST)
    if form.is_valid():
        try:
            structure.school_year_update(year=year, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _page(request, "year_edit.html", {"year": year, "form": form}, error_status(exc))
        messages.success(request, gettext("School year %(year)s saved.") % {"year": year})
        return redirect("school:setup_years")
    return _page(request, "year_edit.html", {"year": year, "form": form}, 400)


# --- terms -----------------------------------------------------------------------------------


def _terms_page(request: HttpRequest, form: forms.Form | None, status: int) -> HttpResponse:
    context = {
        "form": form or TermForm(),
        "terms": selectors.term_list(),
        "has_years": SchoolYear.objects.exists(),
    }
    return _page(request, "terms.html", context, status)


@admin_only
def setup_terms(request: HttpRequest) -> HttpResponse:
    return _create(
        request,
        form_class=TermForm,
        service=structure.term_create,
        done=lambda term: gettext("Term %(term)s added.") % {"term": term},
        redirect_to="school:setup_terms",
        page=lambda form, status: _terms_page(request, form, status),
    )


@admin_only
def setup_term_edit(request: HttpRequest, term_id: int) -> HttpResponse:
    term = get_object_or_404(Term.objects.select_related("year"), pk=term_id)
    locked = structure.term_has_grades(term)

    def page(form: forms.Form, status: int = 200) -> HttpResponse:
        return _page(
            request, "term_edit.html", {"term": term, "form": form, "locked": locked}, status
        )

    if request.method != "POST":
        fields = ["name", "starts_on", "ends_on", "entry_opens_on", "entry_closes_on"]
        return page(TermEditForm({f: getattr(term, f) for f in fields}))
    form = TermEditForm(request.POST)
    if not form.is_valid():
        return page(form, 400)
    try:
        structure.term_update(term=term, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return page(form, error_status(exc))
    messages.success(request, gettext("Term %(term)s saved.") % {"term": term})
    return redirect("school:setup_terms")


# --- groups and subjects ---------------------------------------------------------------------


def _groups_page(request: HttpRequest, form: forms.Form | None, status: int) -> HttpResponse:
    context = {"form": form or GroupForm(), "groups": selectors.group_list()}
    return _page(request, "groups.html", context, status)


@admin_only
def setup_groups(request: HttpRequest) -> HttpResponse:
    return _create(
        request,
        form_class=GroupForm,
        service=group_create,
        done=lambda group: gettext("Group %(group)s added.") % {"group": group},
        redirect_to="school:setup_groups",
        page=lambda form, status: _groups_page(request, form, status),
    )


def _subjects_page(request: HttpRequest, form: forms.Form | None, status: int) -> HttpResponse:
    context = {"form": form or SubjectForm(), "subjects": selectors.subject_list()}
    return _page(request, "subjects.html", context, status)


@admin_only
def setup_subjects(request: HttpRequest) -> HttpResponse:
    return _create(
        request,
        form_class=SubjectForm,
        service=structure.subject_create,
        done=lambda subject: gettext("Subject %(subject)s added.") % {"subject": subject},
        redirect_to="school:setup_subjects",
        page=lambda form, status: _subjects_page(request, form, status),
    )


# --- courses ---------------------------------------------------------------------------------


def _courses_page(request: HttpRequest, form: forms.Form | None, status: int) -> HttpResponse:
    missing = [
        step
        for step in selectors.setup_steps()
        if step.key in ("terms", "groups", "subjects") and not step.done
    ]
    context = {"form": form or CourseForm(), "courses": selectors.course_list(), "missing": missing}
    return _page(request, "courses.html", context, status)


@admin_only
def setup_courses(request: HttpRequest) -> HttpResponse:
    return _create(
        request,
        form_class=CourseForm,
        service=structure.course_create,
        done=lambda course: gettext("Course %(course)s added.") % {"course": course},
        redirect_to="school:setup_courses",
        page=lambda form, status: _courses_page(request, form, status),
    )


@admin_only
def setup_course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(
        Course.objects.select_related("term", "subject", "group"), pk=course_id
    )
    if request.method != "POST":
        form = CourseTeachersForm(initial={"teachers": list(course.teachers.all())})
        return _page(request, "course_edit.html", {"course": course, "form": form})
    form = CourseTeachersForm(request.POST)
    if not form.is_valid():
        return _page(request, "course_edit.html", {"course": course, "form": form}, 400)
    try:
        grades.course_set_teachers(
            course=course, teachers=form.cleaned_data["teachers"], by=request_user(request)
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _page(
            request, "course_edit.html", {"course": course, "form": form}, error_status(exc)
        )
    messages.success(request, gettext("Teachers of %(course)s saved.") % {"course": course})
    return redirect("school:setup_courses")


# --- deleting what was made by mistake -------------------------------------------------------


@dataclass(frozen=True)
class _Deletable:
    model: type[Model]
    delete: Callable[[HttpRequest, Any], None]  # calls the service
    page: Callable[[HttpRequest, forms.Form | None, int], HttpResponse]  # the list it is on
    list_url: str


DELETABLE = {
    "years": _Deletable(
        SchoolYear,
        lambda request, year: structure.school_year_delete(year=year),
        _years_page,
        "school:setup_years",
    ),
    "terms": _Deletable(
        Term,
        lambda request, term: structure.term_delete(term=term),
        _terms_page,
        "school:setup_terms",
    ),
    "groups": _Deletable(
        ClassGroup,
        lambda request, group: group_delete(group=group, by=request_user(request)),
        _groups_page,
        "school:setup_groups",
    ),
    "subjects": _Deletable(
        Subject,
        lambda request, subject: structure.subject_delete(subject=subject),
        _subjects_page,
        "school:setup_subjects",
    ),
    "courses": _Deletable(
        Course,
        lambda request, course: structure.course_delete(course=course),
        _courses_page,
        "school:setup_courses",
    ),
}


@admin_only
@require_POST
def setup_delete(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    """Delete a year, term, group, subject or course made by mistake; one the records still
    hang on is refused (409) on its list, saying what to do first."""
    deletable = DELETABLE.get(kind)
    if deletable is None:
        raise Http404(gettext("Nothing of that kind can be deleted here."))
    record = get_object_or_404(deletable.model, pk=object_id)
    name = str(record)
    try:
        deletable.delete(request, record)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return deletable.page(request, None, error_status(exc))
    messages.success(request, gettext("%(name)s deleted.") % {"name": name})
    return redirect(deletable.list_url)


# --- enrolment -------------------------------------------------------------------------------


def _enrolment_page(
    request: HttpRequest,
    *,
    group_form: StudentGroupForm | None = None,
    enrol_form: GroupEnrolForm | None = None,
    course_form: StudentCourseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return _page(
        request,
        "enrolment.html",
        {
            **selectors.enrolment_overview(),
            "group_form": group_form or StudentGroupForm(),
            "enrol_form": enrol_form or GroupEnrolForm(),
            "course_form": course_form or StudentCourseForm(),
        },
        status,
    )


@admin_only
@require_GET
def setup_enrolment(request: HttpRequest) -> HttpResponse:
    return _enrolment_page(request)


@admin_only
@require_POST
def setup_student_group(request: HttpRequest) -> HttpResponse:
    """Put a student in a group, or move them to another one mid-year."""
    form = StudentGroupForm(request.POST)
    if not form.is_valid():
        return _enrolment_page(request, group_form=form, status=400)
    student, group = form.cleaned_data["student"], form.cleaned_data["group"]
    try:
        moved = structure.student_move_group(student=student, group=group, by=request_user(request))
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _enrolment_page(request, group_form=form, status=error_status(exc))
    text = gettext("%(student)s is now in %(group)s.") % {
        "student": student.display_name,
        "group": group,
    }
    if moved.joined:
        text += " " + ngettext(
            "Enrolled in %(count)d course.", "Enrolled in %(count)d courses.", len(moved.joined)
        ) % {"count": len(moved.joined)}
    if moved.kept:
        text += " " + ngettext(
            "Kept in %(count)d course of the old group that has their grades.",
            "Kept in %(count)d courses of the old group that have their grades.",
            len(moved.kept),
        ) % {"count": len(moved.kept)}
    messages.success(request, text)
    return redirect("school:setup_enrolment")


@admin_only
@require_POST
def setup_enrol_group(request: HttpRequest) -> HttpResponse:
    form = GroupEnrolForm(request.POST)
    if not form.is_valid():
        return _enrolment_page(request, enrol_form=form, status=400)
    group, term = form.cleaned_data["group"], form.cleaned_data["term"]
    try:
        made = structure.group_enrol_in_courses(group=group, term=term)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _enrolment_page(request, enrol_form=form, status=error_status(exc))
    messages.success(
        request,
        ngettext(
            "%(group)s: %(count)d enrolment made in %(term)s.",
            "%(group)s: %(count)d enrolments made in %(term)s.",
            made,
        )
        % {"group": group, "count": made, "term": term},
    )
    return redirect("school:setup_enrolment")


@admin_only
@require_POST
def setup_student_course(request: HttpRequest) -> HttpResponse:
    """Enrol one student in one course, or take them out of it."""
    form = StudentCourseForm(request.POST)
    if not form.is_valid():
        return _enrolment_page(request, course_form=form, status=400)
    student, course = form.cleaned_data["student"], form.cleaned_data["course"]
    names = {"student": student.display_name, "course": course}
    try:
        if form.cleaned_data["action"] == "unenrol":
            structure.student_unenrol(student=student, course=course)
            text = gettext("%(student)s left %(course)s.") % names
        else:
            structure.student_enrol(student=student, course=course)
            text = gettext("%(student)s is enrolled in %(course)s.") % names
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _enrolment_page(request, course_form=form, status=error_status(exc))
    messages.success(request, text)
    return redirect("school:setup_enrolment")
