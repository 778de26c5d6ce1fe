"""The server's close-code table rendered into a page, for static/aviso/socket.js to read:
the browser clients learn which codes are terminal from the server, not from a JS copy."""

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from realtime.protocol import CLOSE_CODES

register = template.Library()

ELEMENT_ID = "aviso-close-codes"


def close_codes_for_pages() -> dict[str, dict[str, object]]:
    return {
        str(code): {"name": close.name, "terminal": close.terminal, "message": str(close.message)}
        for code, close in CLOSE_CODES.items()
    }


@register.simple_tag
def aviso_close_codes() -> SafeString:
    """`<script id="aviso-close-codes" type="application/json">{"4401": {...}, ...}</script>`"""
    return json_script(close_codes_for_pages(), ELEMENT_ID)
