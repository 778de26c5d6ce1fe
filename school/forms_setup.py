"""Input parsing of the setup pages (school years, terms, groups, subjects, courses,
enrolment); the rules themselves are in school.services.structure."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.forms import DateInputField, IdField, ModelIdChoiceField
from school.models import ClassGroup, Course, SchoolYear, Subject, Term
from school.selectors import students
from school.selectors_structure import teachers


def _date(label: Any) -> DateInputField:
    return DateInputField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class ModelIdsChoiceField(forms.ModelMultipleChoiceField):
    """Rows picked by id, each id read like IdField (see ModelIdChoiceField)."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            for item in value:
                try:
                    IdField().clean(item)
                except ValidationError:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": str(item)[:20]},
                    ) from None
        return super().clean(value)


class SchoolYearForm(forms.Form):
    name = forms.CharField(max_length=80, label=_("Name"))
    starts_on = _date(_("Starts"))
    ends_on = _date(_("Ends"))


class TermEditForm(forms.Form):
    name = forms.CharField(max_length=80, label=_("Name"))
    starts_on = _date(_("Starts"))
    ends_on = _date(_("Ends"))
    entry_opens_on = _date(_("Grade entry opens"))
    entry_closes_on = _date(_("Grade entry closes"))


class TermForm(TermEditForm):
    year: "forms.ModelChoiceField[SchoolYear]" = ModelIdChoiceField(
        queryset=SchoolYear.objects.all(), label=_("School year")
    )
    field_order = ["year", "name"]


class GroupForm(forms.Form):
    level = forms.CharField(max_length=20, required=False, label=_("Level"), help_text=_("e.g. 3°"))
    name = forms.CharField(max_length=40, label=_("Name"), help_text=_("e.g. 3° A"))


class SubjectForm(forms.Form):
    code = forms.CharField(max_length=16, label=_("Code"), help_text=_("e.g. MATH"))
    name = forms.CharField(max_length=80, label=_("Name"))


class CourseTeachersForm(forms.Form):
    teachers: "forms.ModelMultipleChoiceField[User]" = ModelIdsChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Teachers"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = teachers()  # type: ignore[attr-defined]


class CourseForm(CourseTeachersForm):
    term: "forms.ModelChoiceField[Term]" = ModelIdChoiceField(
        queryset=Term.objects.all(), label=_("Term")
    )
    group: "forms.ModelChoiceField[ClassGroup]" = ModelIdChoiceField(
        queryset=ClassGroup.objects.all(), label=_("Group")
    )
    subject: "forms.ModelChoiceField[Subject]" = ModelIdChoiceField(
        queryset=Subject.objects.all(), label=_("Subject")
    )
    name = forms.CharField(
        max_length=80,
        required=False,
        label=_("Name"),
        help_text=_("Leave empty for “Subject Group”."),
    )
    field_order = ["term", "group", "subject", "teachers", "name"]


class GroupEnrolForm(forms.Form):
    group: "forms.ModelChoiceField[ClassGroup]" = ModelIdChoiceField(
        queryset=ClassGroup.objects.all(), label=_("Group")
    )
    term: "forms.ModelChoiceField[Term]" = ModelIdChoiceField(
        queryset=Term.objects.all(), label=_("Term")
    )


class _StudentForm(forms.Form):
    student: "forms.ModelChoiceField[User]" = ModelIdChoiceField(
        queryset=User.objects.none(), label=_("Student")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students()  # type: ignore[attr-defined]


class StudentGroupForm(_StudentForm):
    group: "forms.ModelChoiceField[ClassGroup]" = ModelIdChoiceField(
        queryset=ClassGroup.objects.all(), label=_("Group")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Two forms of the enrolment page pick a student: their fields need ids of their own.
        super().__init__(*args, auto_id="move_%s", **kwargs)


class CourseChoiceField(ModelIdChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.term.name}"


class StudentCourseForm(_StudentForm):
    course: "forms.ModelChoiceField[Course]" = CourseChoiceField(
        queryset=Course.objects.select_related("term"), label=_("Course")
    )
    action = forms.ChoiceField(
        choices=[("enrol", _("Enrol")), ("unenrol", _("Unenrol"))],
        label=_("Action"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="one_%s", **kwargs)
