"""Input parsing only (shared fields from config.forms); the rules are in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import DateInputField, IdField, LocalDateTimeField

# A reason longer than this is not a reason (the services keep its first 300 characters).
REASON_MAX = 2000


class BookingQueryForm(forms.Form):
    """The booking page's choices; missing ones fall back to the first dentist/kind/today."""

    dentist = IdField(required=False)
    type = IdField(required=False)
    date = DateInputField(required=False)


class BookingForm(BookingQueryForm):
    starts_at = LocalDateTimeField()
    note = forms.CharField(max_length=500, required=False)


class ScheduleQueryForm(forms.Form):
    dentist = IdField(required=False)
    view = forms.ChoiceField(choices=[("day", _("Day")), ("week", _("Week"))], required=False)
    date = DateInputField(required=False)


class MessageForm(forms.Form):
    # No max_length: the service says what is wrong with an empty or long message (at most
    # MESSAGE_MAX characters); the form refuses what no text column stores (NUL characters).
    body = forms.CharField(required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX, required=False)


class RescheduleForm(forms.Form):
    starts_at = LocalDateTimeField()


class NextForm(forms.Form):
    """Where to go back to after an action (checked against the host by the view)."""

    next = forms.CharField(max_length=2000, required=False)
