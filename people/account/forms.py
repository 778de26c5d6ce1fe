"""The account page's forms: each parses one page's input (bad input is a 400 with the
form's message, never a guess)."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.adapter import EMAIL_MAX_LENGTH
from realtime.families import families_for_kind


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The default of this site")), *settings.LANGUAGES],
        help_text=_("Pages, notifications and e-mails are written in it."),
    )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New e-mail address"), max_length=EMAIL_MAX_LENGTH)


class NotificationChoicesForm(forms.Form):
    """One checkbox per notification family of the tenant's kind: checked means an e-mail
    copy too (in-app is always on)."""

    email_copy = forms.MultipleChoiceField(
        label=_("Also send me an e-mail for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["email_copy"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(family.key, family.label) for family in families_for_kind(kind)]
