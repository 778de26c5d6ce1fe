from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    """The language chooser of every page (templates/base.html)."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
