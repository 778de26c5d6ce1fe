from typing import Any

from django import template

from people.adapter import sign_up_role

register = template.Library()


@register.simple_tag(takes_context=True)
def sign_up_open(context: dict[str, Any]) -> bool:
    """Whether this site lets strangers create an account (the login page's link)."""
    request = context.get("request")
    return request is not None and sign_up_role(request) is not None
