"""Input parsing only (shared fields from config.forms); the rules are in the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.models import DEFAULT_COLOUR, Weekday
from clinic.selectors import dentist_list
from config.forms import DateInputField, IdField, IntegerInputField, LocalDateTimeField

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


# --- setting the clinic up (the rules are in clinic.services.setup) --------------------------


class RemoveForm(forms.Form):
    """A row of the page to remove (or, for chairs, to take out of use or back)."""

    remove = IdField()


class HoursForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"), coerce=int, choices=[(str(v), label) for v, label in Weekday.choices]
    )
    starts = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))


def _dentist_choices() -> list[tuple[str, str]]:
    return [(str(d.pk), d.display_name) for d in dentist_list()]


class DayOffForm(forms.Form):
    dentist = forms.TypedChoiceField(label=_("Dentist"), coerce=int)
    date = DateInputField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason (optional)"), max_length=120, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dentist"].choices = _dentist_choices()  # type: ignore[attr-defined]


class HolidayForm(forms.Form):
    date = DateInputField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120)


class ChairForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)


class TypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    duration_minutes = IntegerInputField(
        label=_("Duration (minutes)"), min_value=5, max_value=8 * 60
    )
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial=DEFAULT_COLOUR,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    dentists = forms.TypedMultipleChoiceField(
        label=_("Offered by"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none and every dentist offers it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dentists"].choices = _dentist_choices()  # type: ignore[attr-defined]


class TypeEditForm(forms.Form):
    kind = IdField()
    colour = forms.CharField(max_length=7)
    dentists = forms.TypedMultipleChoiceField(coerce=int, required=False)
    is_active = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dentists"].choices = _dentist_choices()  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    cancellation_cutoff_hours = IntegerInputField(
        label=_("Cancellation cut-off (hours)"),
        max_value=24 * 30,
        help_text=_("Patients may cancel online up to this many hours before the start."),
    )
    booking_horizon_days = IntegerInputField(
        label=_("Booking horizon (days)"),
        min_value=1,
        max_value=730,
        help_text=_("Patients may book up to this many days ahead; the front desk any day."),
    )
    reminder_lead_hours = IntegerInputField(
        label=_("Reminder lead time (hours)"),
        min_value=1,
        max_value=24 * 14,
        help_text=_("Patients are reminded this many hours before their appointment."),
    )
    slot_step_minutes = IntegerInputField(
        label=_("Slot step (minutes)"),
        min_value=5,
        max_value=120,
        help_text=_("Free times are offered every this many minutes."),
    )
    allow_patient_sign_up = forms.BooleanField(
        label=_("Patients may sign up"),
        required=False,
        help_text=_("Anyone may create a patient account on the sign-up page."),
    )


class ThreadReadForm(forms.Form):
    """The newest message a page has shown its reader (the staff's inbox counts from there)."""

    message = IdField()
