"""`{% load aviso_presence %}{% online_staff refresh_url %}` on a tenant's staff page (the
school and clinic dashboards): who of this tenant's staff has Aviso open right now. Renders
nothing for non-staff or off a tenant's site."""

from typing import Any

from django import template

from realtime.presence import presence_online_users
from realtime.selectors import online_people
from tenants.db import current_schema_name, is_public_schema

register = template.Library()


@register.inclusion_tag("realtime/_online_staff.html", takes_context=True)
def online_staff(context: template.Context, refresh_url: str = "") -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    schema = current_schema_name()
    if user is None or not getattr(user, "is_tenant_staff", False) or is_public_schema(schema):
        return {"visible": False}
    people = online_people(user_ids=presence_online_users(schema_name=schema))
    return {"visible": True, "people": people, "refresh_url": refresh_url}
