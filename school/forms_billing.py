"""The "New billing run" form: input parsing only (the rules are in
school.services.billing_runs)."""

from typing import Any

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from config.forms import DateInputField, IdField, ModelIdChoiceField
from school.models import ClassGroup, FeeItem
from school.selectors_billing import Audience, audience_options


def _label(option: Audience) -> str:
    return ngettext(
        "%(name)s (%(count)d student)", "%(name)s (%(count)d students)", option.student_count
    ) % {"name": option.label, "count": option.student_count}


class BillingRunForm(forms.Form):
    # Any fee is accepted here so that one taken out of the catalogue meanwhile gets the
    # service's own words; only the catalogue's are offered.
    fee: "forms.ModelChoiceField[FeeItem]" = ModelIdChoiceField(
        queryset=FeeItem.objects.all(), label=_("Fee")
    )
    audience = forms.ChoiceField(
        label=_("Who is billed"),
        help_text=_("A whole level (every group in it) or one group."),
    )
    due_on = DateInputField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = FeeItem.objects.filter(is_active=True).order_by("name")
        self.fields["fee"].widget.choices = [("", "---------")] + [
            (fee.pk, f"{fee.name}") for fee in active
        ]
        levels, groups = audience_options()
        choices: list[Any] = [("", "---------")]
        if levels:
            choices.append((gettext("Levels"), [(a.key, _label(a)) for a in levels]))
        if groups:
            choices.append((gettext("Groups"), [(a.key, _label(a)) for a in groups]))
        self.fields["audience"].choices = choices  # type: ignore[attr-defined]
        self.has_audience = bool(groups)
        self.has_fees = active.exists()

    def clean_audience(self) -> dict[str, Any]:
        """{"group": ClassGroup} or {"level": "3°"}."""
        kind, _sep, value = self.cleaned_data["audience"].partition(":")
        if kind == "group":
            group = ClassGroup.objects.filter(pk=IdField().clean(value)).first()
            if group is None:  # deleted since the form was shown
                raise forms.ValidationError(gettext("Choose one level or one group to bill."))
            return {"group": group}
        return {"level": value}
