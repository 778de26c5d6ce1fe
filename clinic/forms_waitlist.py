"""Input parsing of the waitlist pages (the rules are in clinic.services.waitlist)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.models import WaitlistPeriod, Weekday
from config.forms import DateInputField, IdField

_CHOOSE_DAYS = {
    "required": _("Choose at least one day of the week."),
    "invalid_choice": _("Choose at least one day of the week."),
}
_CHOOSE_TIMES = {
    "required": _("Choose at least one time of day."),
    "invalid_choice": _("Choose at least one time of day."),
}


class WaitlistChoiceForm(forms.Form):
    """The join form's dentist and kind, also read from a link's query (the booking page's)."""

    dentist = IdField(required=False)
    type = IdField(required=False)


class WaitlistJoinForm(WaitlistChoiceForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices, coerce=int, error_messages=_CHOOSE_DAYS
    )
    periods = forms.MultipleChoiceField(
        choices=WaitlistPeriod.choices, error_messages=_CHOOSE_TIMES
    )
    until = DateInputField()


class WaitlistDentistForm(forms.Form):
    dentist = IdField(required=False)
