"""Input parsing only; the rules themselves are in the services."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from config.forms import (
    DateInputField,
    DecimalInputField,
    IntegerInputField,
    ModelIdChoiceField,
)
from school.models import FeeItem, PaymentMethod
from school.selectors import students
from school.states import InvoiceStatus


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields when it names them."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class AmountField(DecimalInputField):
    """An amount as the money columns hold it (12 digits, 2 decimals); whether it is above zero
    is the services' rule (school.money.clean_amount)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


def score_field() -> DecimalInputField:
    """One gradebook cell (Grade.score: 6 digits, 2 decimals; "12,5" is 12.5)."""
    return DecimalInputField(max_digits=6, decimal_places=2, decimal_comma=True, required=False)


class PageForm(forms.Form):
    """A list's page number (Paginator shows the last page for one beyond it)."""

    page = IntegerInputField(min_value=1, required=False)


class AssessmentForm(forms.Form):
    title = forms.CharField(max_length=80)
    max_score = DecimalInputField(max_digits=6, decimal_places=2, initial=100, label="Out of")
    weight = DecimalInputField(max_digits=5, decimal_places=2, initial=1)


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), ("open", "Open (unpaid)"), *InvoiceStatus.choices],
    )
    student: "forms.ModelChoiceField[User]" = ModelIdChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Any student"
    )
    q = forms.CharField(required=False, label="Search", max_length=80)
    due_from = DateInputField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_to = DateInputField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students()  # type: ignore[attr-defined]


class InvoiceIssueForm(forms.Form):
    student: "forms.ModelChoiceField[User]" = ModelIdChoiceField(queryset=User.objects.none())
    fee: "forms.ModelChoiceField[FeeItem]" = ModelIdChoiceField(
        queryset=FeeItem.objects.none(), required=False, empty_label="(no catalogue fee)"
    )
    description = forms.CharField(max_length=200, required=False)
    amount = AmountField(required=False, help_text="Leave empty to use the fee's amount.")
    due_on = DateInputField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students()  # type: ignore[attr-defined]
        self.fields["fee"].queryset = FeeItem.objects.filter(is_active=True)  # type: ignore[attr-defined]


class PaymentForm(forms.Form):
    amount = AmountField()
    method = forms.ChoiceField(choices=PaymentMethod.choices)
    reference = forms.CharField(max_length=80, required=False)


class FeeForm(forms.Form):
    name = forms.CharField(max_length=120)
    amount = AmountField()
