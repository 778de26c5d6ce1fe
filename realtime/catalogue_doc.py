"""The notification catalogue written out for docs/realtime-protocol.md: one row per type with
its parameters, their JSON types and who receives it. `manage.py notification_types` prints
it; a test keeps the document equal to it, so the document cannot fall behind the code."""

import types
from typing import Any, Union, get_args, get_origin, get_type_hints

from realtime.catalogue import NotificationType, registered_types

START = "<!-- notification-types:start (manage.py notification_types writes this table) -->"
END = "<!-- notification-types:end -->"
# Declared for tests and benchmarks only, never sent by the product.
NOT_DOCUMENTED = frozenset({"test.message"})

_JSON_NAMES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
    dict: "object",
    list: "array",
}


def json_type(annotation: Any) -> str:
    if annotation is None:
        return "null"
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return " or ".join(json_type(arg) for arg in get_args(annotation))
    if origin is list:
        (item,) = get_args(annotation) or (Any,)
        return f"array of {json_type(item)}"
    if isinstance(annotation, type) and hasattr(annotation, "__required_keys__"):
        fields = ", ".join(sorted(get_type_hints(annotation)))
        return f"object {{{fields}}}"
    return _JSON_NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _parameters(kind: NotificationType[Any]) -> str:
    hints = get_type_hints(kind.params)
    required = kind.required_keys()
    return "<br>".join(
        f"`{name}`{'' if name in required else '?'}: {json_type(hints[name])}" for name in hints
    )


def catalogue_table() -> str:
    rows = [
        "| type | parameters (`?`: optional) | labels rendered when shown | who receives it |",
        "|---|---|---|---|",
    ]
    for name, kind in sorted(registered_types().items()):
        if name in NOT_DOCUMENTED:
            continue
        labels = ", ".join(f"`{label}`" for label in sorted(kind.labels)) or "none"
        rows.append(f"| `{name}` | {_parameters(kind)} | {labels} | {kind.audience} |")
    return "\n".join([START, *rows, END])
