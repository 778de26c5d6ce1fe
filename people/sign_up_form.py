"""The fields a patient signing up adds to allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS).
allauth builds its form on this class while it is being imported, so this module imports
nothing of allauth or of the product beyond Django."""

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class PatientSignUpForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150, required=False)

    def signup(self, request: HttpRequest, user: Any) -> None:
        """Called by allauth once the user row exists (the adapter has set the role)."""
        user.full_name = self.cleaned_data.get("full_name", "").strip()
        user.save(update_fields=["full_name"])
