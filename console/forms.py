import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tenants.models import TenantKind
from tenants.states import MOVES


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
    # The tenant's language, currency and time zone (tenants.services checks each).
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,
        help_text=_("For users who have not chosen their own language."),
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        initial="USD",
        required=False,
        help_text=_("Three letters, e.g. MXN."),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        initial="UTC",
        required=False,
        help_text=_("Where its dates and times are read, e.g. America/Mexico_City."),
    )

    def clean_domains(self) -> list[str]:
        return [d for d in re.split(r"[\s,]+", self.cleaned_data["domains"]) if d]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Left empty: the service's defaults (English, USD, UTC); it checks what is given.
        for name in LOCALE_FIELDS:
            if not cleaned.get(name):
                cleaned.pop(name, None)
        return cleaned


LOCALE_FIELDS = ("default_language", "currency", "time_zone")


class DomainForm(forms.Form):
    domain = forms.CharField(
        max_length=253, label=_("Domain"), help_text=_("A host name, e.g. www.example.org")
    )


class StatusForm(forms.Form):
    # Every move of tenants.states; whether it is allowed from the tenant's status is the
    # service's check (409), not the form's (400).
    action = forms.ChoiceField(
        label=_("Action"), choices=[(move.action, move.label) for move in MOVES.values()]
    )
    # Ticked on the confirmation page; moves that close a tenant's pages need it.
    confirm = forms.BooleanField(
        label=_("I understand what this does"), required=False, initial=False
    )


class RenameForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"))


class DeleteForm(forms.Form):
    # Compared with the tenant's name by tenants.services.tenant_delete (exact, case and all).
    name = forms.CharField(max_length=120, label=_("Type the tenant's name"), strip=False)


class DomainChangeForm(forms.Form):
    domain = forms.CharField(max_length=253, label=_("Domain"))
    action = forms.ChoiceField(
        label=_("Action"), choices=[("remove", _("Remove")), ("primary", _("Make primary"))]
    )


class TenantLocaleForm(forms.Form):
    """A tenant's language, currency and time zone, changed after onboarding (tenants.services
    .tenant_set_locale checks each)."""

    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    currency = forms.CharField(label=_("Currency"), max_length=3)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64)
