"""Writes of assessments and grades (terms, courses and enrolment are in
school.services.structure). Administrators, and a course's teachers for their courses,
enter drafts and publish them; students and their guardians are notified
(`grade.published`, `grade.updated`) in the same transaction as the change.

The correction rule: changing a published grade saves a draft correction (`pending_score`).
The student keeps seeing the published score until the correction is published — with the
drafts, or on its own — and only then does `grade.updated` go out."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import Role
from realtime.catalogue import NotificationType
from realtime.services import notify
from school import grading
from school.clock import tenant_today
from school.errors import Conflict
from school.models import (
    Assessment,
    Course,
    Enrolment,
    Grade,
    GradeScale,
    GradeStatus,
    GradingSettings,
    Term,
)
from school.notifications import (
    COURSE_TEACHER_ASSIGNED,
    GRADE_PUBLISHED,
    GRADE_UPDATED,
    GradeParams,
    course_params,
    grade_rows_params,
)
from school.payloads import cell_key
from school.selectors import student_course_average
from school.services.common import (
    notify_family,
    require_administrator,
    require_grader,
    require_student,
)


def course_set_teachers(*, course: Course, teachers: Iterable[User], by: User) -> list[User]:
    """Make `teachers` exactly the course's teachers: they see and grade it, nobody else of
    their role does; those new to it are notified (`course.teacher_assigned`). Only
    administrators assign them."""
    require_administrator(by)
    chosen = list(teachers)
    for teacher in chosen:
        if not teacher.has_role(Role.TEACHER):
            raise ValidationError(
                {
                    "teachers": gettext("%(name)s is not a teacher of this school.")
                    % {"name": teacher.display_name}
                }
            )
    with transaction.atomic():
        current = set(course.teachers.values_list("pk", flat=True))
        course.teachers.set(chosen)
        # Only those new to the course hear of it (saving the same form again is quiet).
        newly = [t for t in chosen if t.pk not in current]
        notify(recipients=newly, kind=COURSE_TEACHER_ASSIGNED, params=course_params(course=course))
    return chosen


def grading_settings_save(*, scale: str, decimals: int, by: User) -> GradingSettings:
    """The school's grade scale and decimals. Only the display changes: scores stay as they
    were entered, and every page and notification writes them in the new scale from now on."""
    require_administrator(by)
    errors: dict[str, str] = {}
    if scale not in GradeScale.values:
        errors["scale"] = gettext("Choose one of the grade scales.")
    if decimals not in (0, 1, 2):
        errors["decimals"] = gettext("Grades are shown with 0, 1 or 2 decimals.")
    if errors:
        raise ValidationError(errors)
    row, _created = GradingSettings.objects.update_or_create(
        pk=1, defaults={"scale": scale, "decimals": decimals}
    )
    return row


def assessment_create(
    *,
    course: Course,
    title: str,
    by: User,
    max_score: Decimal = Decimal("100"),
    weight: Decimal = Decimal("1"),
) -> Assessment:
    require_grader(by, course)
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = gettext("An assessment needs a title.")
    elif Assessment.objects.filter(course=course, title__iexact=title).exists():
        errors["title"] = gettext("%(course)s already has an assessment called %(title)s.") % {
            "course": course,
            "title": title,
        }
    if max_score <= 0:
        errors["max_score"] = gettext("The maximum score must be above zero.")
    if weight <= 0:
        errors["weight"] = gettext("The weight must be above zero.")
    if errors:
        raise ValidationError(errors)
    position = course.assessments.count()
    return Assessment.objects.create(
        course=course, title=title, max_score=max_score, weight=weight, position=position
    )


# --- rules -----------------------------------------------------------------------------------


def _day(day: date) -> str:
    """A date as the reader's pages write it (their locale's short date)."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def require_entry_window(term: Term) -> None:
    today = tenant_today()
    if today < term.entry_opens_on:
        raise ValidationError(
            gettext(
                "Grades for %(term)s can be entered from %(date)s; "
                "the grade-entry window is not open yet."
            )
            % {"term": term, "date": _day(term.entry_opens_on)}
        )
    if today > term.entry_closes_on:
        raise ValidationError(
            gettext("%(term)s is closed: its grade-entry window ended on %(date)s.")
            % {"term": term, "date": _day(term.entry_closes_on)}
        )


def clean_score(raw: Decimal | str, assessment: Assessment) -> Decimal:
    """A score between 0 and the assessment's maximum, with at most two decimals."""
    try:
        score = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(gettext("%(value)s is not a number.") % {"value": raw}) from None
    if not score.is_finite():
        raise ValidationError(gettext("%(value)s is not a number.") % {"value": raw})
    if score < 0 or score > assessment.max_score:
        raise ValidationError(
            gettext("%(score)s is out of range: %(assessment)s is scored from 0 to %(max)s.")
            % {
                "score": f"{score.normalize():f}",
                "assessment": assessment.title,
                "max": f"{assessment.max_score.normalize():f}",
            }
        )
    if score != score.quantize(grading.CENT):
        raise ValidationError(gettext("Scores have at most two decimals."))
    return score.quantize(grading.CENT)


def _require_enrolled(assessment: Assessment, student: User) -> None:
    if not Enrolment.objects.filter(course_id=assessment.course_id, student=student).exists():
        raise ValidationError(
            gettext("%(student)s is not enrolled in %(course)s.")
            % {"student": student.display_name, "course": assessment.course}
        )


# --- grade entry -----------------------------------------------------------------------------


def grade_enter(*, assessment: Assessment, student: User, score: Decimal | str, by: User) -> Grade:
    """Enter or change one grade. A new or draft grade stays a draft; changing a published
    grade saves a draft correction, which the student sees once it is published."""
    require_grader(by, assessment.course)
    require_student(student)
    require_entry_window(assessment.course.term)
    _require_enrolled(assessment, student)
    try:
        cleaned = clean_score(score, assessment)
    except ValidationError as exc:
        raise ValidationError({"score": exc.messages}) from None
    with transaction.atomic():
        grade = _locked_grades().filter(assessment=assessment, student=student).first()
        if grade is None:
            return Grade.objects.create(
                assessment=assessment, student=student, score=cleaned, entered_by=by
            )
        if grade.working_score == cleaned:
            return grade
        _change(grade, cleaned, by=by, now=timezone.now())
        return grade


def _change(grade: Grade, score: Decimal, *, by: User, now: datetime) -> None:
    """A draft takes the new score; a published grade keeps its score and holds the new one
    as a draft correction (typing the published score back withdraws the correction)."""
    if grade.is_published:
        grade.pending_score = None if score == grade.score else score
    else:
        grade.score = score
    grade.entered_by, grade.updated_at = by, now
    grade.save(update_fields=["score", "pending_score", "entered_by", "updated_at"])


@dataclass
class GradebookSaved:
    created: list[Grade] = field(default_factory=list)
    changed: list[Grade] = field(default_factory=list)
    corrected: list[Grade] = field(default_factory=list)
    removed: int = 0

    @property
    def total(self) -> int:
        return len(self.created) + len(self.changed) + len(self.corrected) + self.removed


def gradebook_save(
    *, course: Course, scores: Mapping[tuple[int, int], str], by: User
) -> GradebookSaved:
    """Save a whole gradebook grid at once, keyed by (assessment id, student id).

    Every cell is checked first; if any is wrong nothing is written and the ValidationError
    names each bad cell (cell_key). Empty cells remove drafts; published grades can be
    corrected (a draft correction, silent until published) but not removed.
    """
    require_grader(by, course)
    require_entry_window(course.term)
    assessments = {a.pk: a for a in course.assessments.all()}
    enrolled = set(course.enrolments.values_list("student_id", flat=True))
    errors: dict[str, list[str]] = {}
    wanted: dict[tuple[int, int], Decimal | None] = {}
    for (assessment_id, student_id), raw in scores.items():
        key = cell_key(assessment_id, student_id)
        assessment = assessments.get(assessment_id)
        if assessment is None or student_id not in enrolled:
            errors[key] = [gettext("This cell does not belong to this course's gradebook.")]
            continue
        if not raw.strip():
            wanted[(assessment_id, student_id)] = None
            continue
        try:
            wanted[(assessment_id, student_id)] = clean_score(raw, assessment)
        except ValidationError as exc:
            errors[key] = exc.messages
    saved = GradebookSaved()
    with transaction.atomic():
        existing = {
            (g.assessment_id, g.student_id): g
            for g in _locked_grades().filter(assessment__course=course)
        }
        for pair, score in wanted.items():
            grade = existing.get(pair)
            if score is None and grade is not None and grade.is_published:
                errors[cell_key(*pair)] = [
                    gettext("A published grade can be corrected but not removed.")
                ]
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        for (assessment_id, student_id), score in wanted.items():
            grade = existing.get((assessment_id, student_id))
            if grade is None:
                if score is not None:
                    saved.created.append(
                        Grade.objects.create(
                            assessment=assessments[assessment_id],
                            student_id=student_id,
                            score=score,
                            entered_by=by,
                            updated_at=now,
                        )
                    )
            elif score is None:
                grade.delete()
                saved.removed += 1
            elif grade.working_score != score:
                _change(grade, score, by=by, now=now)
                (saved.corrected if grade.is_published else saved.changed).append(grade)
    return saved


def _locked_grades() -> "QuerySet[Grade]":
    """Grades locked for update (only the grade rows), with what notifications print."""
    return Grade.objects.select_related("assessment__course__term").select_for_update(of=("self",))


# --- publishing ------------------------------------------------------------------------------


def grade_publish(*, grade: Grade, by: User) -> Grade:
    require_grader(by, grade.assessment.course)
    require_entry_window(grade.assessment.course.term)
    with transaction.atomic():
        locked = _locked_grades().get(pk=grade.pk)
        if locked.is_published and not locked.has_pending_correction:
            raise Conflict(gettext("This grade is already published."))
        _publish(grades=[locked])
    return locked


def _unpublished() -> "QuerySet[Grade]":
    """Drafts and draft corrections, locked, in a stable order."""
    return (
        _locked_grades()
        .filter(Q(status=GradeStatus.DRAFT) | Q(pending_score__isnull=False))
        .order_by("pk")
    )


def course_publish(*, course: Course, by: User) -> list[Grade]:
    """Publish every draft grade and draft correction of a course; returns what was published
    (maybe nothing)."""
    require_grader(by, course)
    require_entry_window(course.term)
    with transaction.atomic():
        drafts = list(_unpublished().filter(assessment__course=course))
        _publish(grades=drafts)
    return drafts


def term_publish(*, term: Term, by: User) -> list[Grade]:
    require_administrator(by)
    require_entry_window(term)
    with transaction.atomic():
        drafts = list(_unpublished().filter(assessment__course__term=term))
        _publish(grades=drafts)
    return drafts


def _publish(*, grades: list[Grade]) -> None:
    """Drafts become published (`grade.published`); draft corrections replace the published
    score (`grade.updated`)."""
    if not grades:
        return
    now = timezone.now()
    new = [g for g in grades if not g.is_published]
    corrected = [g for g in grades if g.is_published]
    for grade in new:
        grade.status = GradeStatus.PUBLISHED
        grade.published_at = now
        grade.updated_at = now
    for grade in corrected:
        assert grade.pending_score is not None
        grade.score, grade.pending_score, grade.updated_at = grade.pending_score, None, now
    Grade.objects.bulk_update(
        grades, ["status", "score", "pending_score", "published_at", "updated_at"]
    )
    if new:
        _notify_grades(grades=new, kind=GRADE_PUBLISHED)
    if corrected:
        _notify_grades(grades=corrected, kind=GRADE_UPDATED)


# --- notifications ---------------------------------------------------------------------------

# Keeps each notification well under realtime's 8 KiB data limit.
ROWS_PER_NOTIFICATION = 15


def _notify_grades(*, grades: Iterable[Grade], kind: NotificationType[GradeParams]) -> None:
    """One notification per student and course: a whole-term publish gives each student one
    message per course, each small enough to carry its rows and the new course average."""
    groups: dict[tuple[int, int], list[Grade]] = defaultdict(list)
    for grade in grades:
        groups[(grade.student_id, grade.assessment.course_id)].append(grade)
    for (student_id, _course_id), group in sorted(groups.items()):
        course = group[0].assessment.course
        average = student_course_average(student=student_id, course=course)
        for start in range(0, len(group), ROWS_PER_NOTIFICATION):
            notify_family(
                student=student_id,
                kind=kind,
                params=grade_rows_params(
                    course=course,
                    grades=group[start : start + ROWS_PER_NOTIFICATION],
                    average=average,
                ),
            )
