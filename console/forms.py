import re

from django import forms

from tenants.models import TenantKind


class OnboardingForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.CharField(max_length=30, help_text="Lower case; also the database schema name.")
    kind = forms.ChoiceField(choices=TenantKind.choices)
    # Room for a few full-length host names; the service checks each one.
    domains = forms.CharField(
        max_length=2000,
        help_text="One or more host names, separated by spaces or commas; the first is primary.",
    )
    # The column's length (forms.EmailField alone admits 320 characters: a DataError).
    admin_email = forms.EmailField(label="First administrator's e-mail", max_length=254)

    def clean_domains(self) -> list[str]:
        return [d for d in re.split(r"[\s,]+", self.cleaned_data["domains"]) if d]


class DomainForm(forms.Form):
    domain = forms.CharField(max_length=253, help_text="A host name, e.g. www.example.org")


class StatusForm(forms.Form):
    action = forms.ChoiceField(choices=[("suspend", "Suspend"), ("reactivate", "Reactivate")])


class DomainChangeForm(forms.Form):
    domain = forms.CharField(max_length=253)
    action = forms.ChoiceField(choices=[("remove", "Remove"), ("primary", "Make primary")])
