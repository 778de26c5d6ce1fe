"""Input parsing only; the rules themselves are in the services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.forms import (
    DateInputField,
    DecimalInputField,
    IdField,
    IntegerInputField,
    ModelIdChoiceField,
)
from school.models import FeeItem, GradeScale, PaymentMethod
from school.money import amount_parse
from school.selectors import students, teachers
from school.states import InvoiceStatus


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields when it names them."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class AmountField(DecimalInputField):
    """Every amount a person types (fees, invoices, payments): read in the page's language by
    the one rule, school.money.amount_parse ("1500,50" in Spanish is 1500.50, never 150050),
    and fitting the money columns (12 digits, 2 decimals)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return super().to_python(value)
        return amount_parse(str(value), language=translation.get_language())


def score_field() -> DecimalInputField:
    """One gradebook cell (Grade.score: 6 digits, 2 decimals; "12,5" is 12.5)."""
    return DecimalInputField(max_digits=6, decimal_places=2, decimal_comma=True, required=False)


class PageForm(forms.Form):
    """A list's page number (Paginator shows the last page for one beyond it)."""

    page = IntegerInputField(min_value=1, required=False, label=_("Page"))


class GradingSettingsForm(forms.Form):
    scale = forms.ChoiceField(label=_("Grade scale"), choices=GradeScale.choices)
    decimals = forms.TypedChoiceField(
        label=_("Decimals shown"),
        choices=[(0, "0"), (1, "1"), (2, "2")],
        coerce=int,
        help_text=_("At most this many, rounded half up (8.25 → 8.3 with one decimal)."),
    )


class AssessmentForm(forms.Form):
    title = forms.CharField(max_length=80, label=_("Title"))
    max_score = DecimalInputField(max_digits=6, decimal_places=2, initial=100, label=_("Out of"))
    weight = DecimalInputField(max_digits=5, decimal_places=2, initial=1, label=_("Weight"))


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[("", _("Any status")), ("open", _("Open (unpaid)")), *InvoiceStatus.choices],
    )
    student: "forms.ModelChoiceField[User]" = ModelIdChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Student"),
        empty_label=_("Any student"),
    )
    q = forms.CharField(required=False, label=_("Search"), max_length=80)
    due_from = DateInputField(
        required=False, label=_("Due from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_to = DateInputField(
        required=False, label=_("Due until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students()  # type: ignore[attr-defined]


class InvoiceIssueForm(forms.Form):
    student: "forms.ModelChoiceField[User]" = ModelIdChoiceField(
        queryset=User.objects.none(), label=_("Student")
    )
    fee: "forms.ModelChoiceField[FeeItem]" = ModelIdChoiceField(
        queryset=FeeItem.objects.none(),
        required=False,
        label=_("Fee"),
        empty_label=_("(no catalogue fee)"),
    )
    description = forms.CharField(max_length=200, required=False, label=_("Description"))
    amount = AmountField(
        required=False, label=_("Amount"), help_text=_("Leave empty to use the fee's amount.")
    )
    due_on = DateInputField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students()  # type: ignore[attr-defined]
        self.fields["fee"].queryset = FeeItem.objects.filter(is_active=True)  # type: ignore[attr-defined]


class PaymentForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    method = forms.ChoiceField(choices=PaymentMethod.choices, label=_("Method"))
    reference = forms.CharField(
        max_length=100,
        required=False,
        label=_("Reference"),
        help_text=_("Optional: a transfer's tracking key, a cheque's number…"),
    )


class InvoiceCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        label=_("Reason"),
        help_text=_("The student and their guardians are told."),
        error_messages={"required": _("Say why the invoice is cancelled.")},
    )


class FeeForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"))
    amount = AmountField(label=_("Amount"))


class ChildForm(forms.Form):
    """`?student=<id>`: which child a guardian's page shows (whose it is: school.access)."""

    student = IdField(required=False)


class ModelIdsChoiceField(forms.ModelMultipleChoiceField):
    """Rows picked by id, each id read like IdField first (so "١٢" is not row 12)."""

    def clean(self, value: Any) -> Any:
        for item in value or ():
            try:
                IdField().clean(item)
            except ValidationError:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                ) from None
        return super().clean(value)


class CourseTeachersForm(forms.Form):
    teachers = ModelIdsChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Teachers"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = teachers()  # type: ignore[attr-defined]


class GroupForm(forms.Form):
    name = forms.CharField(max_length=40, label=_("Name"))
