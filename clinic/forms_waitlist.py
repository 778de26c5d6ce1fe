"""Input parsing of the waitlist pages (the rules are in clinic.services.waitlist)."""

from django import forms

from clinic.models import WaitlistPeriod, Weekday
from config.forms import DateInputField, IdField


class WaitlistChoiceForm(forms.Form):
    """The join form's dentist and kind, also read from a link's query (the booking page's)."""

    dentist = IdField(required=False)
    type = IdField(required=False)


class WaitlistJoinForm(WaitlistChoiceForm):
    weekdays = forms.TypedMultipleChoiceField(choices=Weekday.choices, coerce=int)
    periods = forms.MultipleChoiceField(choices=WaitlistPeriod.choices)
    until = DateInputField()


class WaitlistDentistForm(forms.Form):
    dentist = IdField(required=False)
