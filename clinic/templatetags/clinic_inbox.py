"""The staff's messages inbox in templates: `{% inbox_unread user as n %}` (the nav's badge)
and `{{ iso|clinic_when_iso }}` (an inbox row's ISO time, written as `clinic_when` writes it:
the rows are the JSON the page's script also draws)."""

from datetime import datetime

from django import template

from accounts.models import User
from accounts.roles import CLINIC_STAFF
from clinic.templatetags.clinic_time import clinic_when
from clinic.threads import unread_total

register = template.Library()


@register.simple_tag
def inbox_unread(user: User) -> int:
    return unread_total(reader=user) if user.has_role(*CLINIC_STAFF) else 0


@register.filter
def clinic_when_iso(value: str) -> str:
    return clinic_when(datetime.fromisoformat(value)) if value else ""
