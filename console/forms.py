import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import TenantKind


class OnboardingForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"))
    slug = forms.CharField(
        max_length=30,
        label=_("Slug"),
        help_text=_("Lower case; also the database schema name."),
    )
    kind = forms.ChoiceField(choices=TenantKind.choices, label=_("Kind"))
    # Room for a few full-length host names; the service checks each one.
    domains = forms.CharField(
        max_length=2000,
        label=_("Domains"),
        help_text=_("One or more host names, separated by spaces or commas; the first is primary."),
    )
    # The column's length (forms.EmailField alone admits 320 characters: a DataError).
    admin_email = forms.EmailField(label=_("First administrator's e-mail"), max_length=254)

    def clean_domains(self) -> list[str]:
        return [d for d in re.split(r"[\s,]+", self.cleaned_data["domains"]) if d]


class DomainForm(forms.Form):
    domain = forms.CharField(
        max_length=253, label=_("Domain"), help_text=_("A host name, e.g. www.example.org")
    )


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("suspend", _("Suspend")), ("reactivate", _("Reactivate"))]
    )


class DomainChangeForm(forms.Form):
    domain = forms.CharField(max_length=253, label=_("Domain"))
    action = forms.ChoiceField(
        label=_("Action"), choices=[("remove", _("Remove")), ("primary", _("Make primary"))]
    )
