"""Input parsing for the people pages; the rules themselves are in people.services."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import PersonStatus, User
from accounts.roles import Role, role_choices
from config.forms import IdField, IntegerInputField, ModelIdChoiceField
from people import selectors
from school.models import ClassGroup


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields when it names them."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ModelIdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Rows picked by id, each id read like IdField first (an Arabic-Indic digit is no id)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            try:
                IdField().clean(pk)
            except ValidationError:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                ) from None
        return super()._check_values(value)  # type: ignore[misc]


def student_label(student: User) -> str:
    record = getattr(student, "student_record", None)
    return f"{student.display_name} ({record.enrolment_number})" if record else student.display_name


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=80, label=_("Search"))
    role = forms.ChoiceField(required=False, label=_("Role"))
    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=[("", _("Any status")), *PersonStatus.choices]
    )
    page = IntegerInputField(min_value=1, required=False, label=_("Page"))

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = (
            _("Name, e-mail or enrolment number") if kind == "school" else _("Name or e-mail")
        )
        self.fields["role"].choices = [("", _("Any role")), *role_choices(kind)]  # type: ignore[attr-defined]


class RoleFieldsMixin(forms.Form):
    """A student's enrolment number and group (a school's only)."""

    enrolment_number = forms.CharField(
        required=False,
        max_length=32,
        label=_("Enrolment number"),
        help_text=_("For a student."),
    )
    group: "forms.ModelChoiceField[ClassGroup]" = ModelIdChoiceField(
        queryset=ClassGroup.objects.none(),
        required=False,
        label=_("Group"),
        empty_label=_("(no group)"),
        help_text=_("For a student."),
    )

    def _role_fields(self, *, kind: str, roles: list[Role]) -> None:
        choices = [("", _("Choose a role")), *((r.value, r.label) for r in roles)]
        self.fields["role"].choices = choices  # type: ignore[attr-defined]
        if kind == "school":
            self.fields["group"].queryset = selectors.class_groups()  # type: ignore[attr-defined]
        else:
            for name in ("enrolment_number", "group", "children"):
                self.fields.pop(name, None)


class PersonAddForm(RoleFieldsMixin):
    full_name = forms.CharField(max_length=150, label=_("Name"))
    email = forms.EmailField(max_length=254, label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"))
    children: "forms.ModelMultipleChoiceField[User]" = ModelIdMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Children"),
        help_text=_("For a guardian: the students they look after (Ctrl or ⌘ to pick several)."),
    )

    field_order = ["full_name", "email", "role", "enrolment_number", "group", "children"]

    def __init__(self, *args: Any, kind: str, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind == "school":
            children = self.fields["children"]
            children.queryset = selectors.students()  # type: ignore[attr-defined]
            children.label_from_instance = student_label  # type: ignore[attr-defined]
            children.widget.attrs["size"] = 8
        self._role_fields(kind=kind, roles=roles)


class RoleChangeForm(RoleFieldsMixin):
    role = forms.ChoiceField(label=_("New role"))

    field_order = ["role", "enrolment_number", "group"]

    def __init__(self, *args: Any, kind: str, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._role_fields(kind=kind, roles=roles)
