"""`{{ moment|clinic_when }}`: a time as the clinic writes it everywhere (clinic.clock.when_label:
the reader's locale's date and time, in the clinic's zone whatever the template's zone), so
a message's time reads the same on the page, live (window.aviso.format.dateTime) and in a
notification."""

from datetime import datetime

from django import template

from clinic.clock import when_label

register = template.Library()


@register.filter
def clinic_when(value: datetime | None) -> str:
    return "" if value is None else when_label(value)
