"""The notification catalogue: every notification type is declared once, with its parameters,
who receives it and how it reads (zulip types its events; saleor keeps one event map).

Each app declares its types in `<app>/notifications.py` with `register(NotificationType(...))`.
A notification row stores the type and its *parameters*, never rendered sentences: the title,
body and link are produced from them whenever a page, a socket (live or on replay) or an
e-mail shows the notification, so they can be rendered per recipient (language, time zone).

Every type names its family (realtime.families): people choose e-mail copies per family
(realtime.email_copies), and `register` refuses a type without a declared family.

`realtime.services.notify` refuses a type that is not registered and parameters that do not
match its declaration (missing, extra or of the wrong JSON type).

Rendering always names the reader's language (`render`, `rendered_data`, `render_for`): the
renderers use gettext and the formats of the active language, and this module activates the
one it is given around them, whoever calls (a page, a socket's thread, a Celery task).
"""

import builtins
import logging
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from email.mime.base import MIMEBase
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

from django.utils import timezone, translation

from realtime.families import FAMILIES, Family

if TYPE_CHECKING:
    from realtime.models import Notification

logger = logging.getLogger(__name__)

# The keys a rendered notification adds to its parameters on the wire (protocol v1's `data`).
RENDERED_KEYS = frozenset({"title", "body", "url"})

P = TypeVar("P", bound=Mapping[str, Any])


class CatalogueError(ValueError):
    """A notification that does not match its declaration (a programming error)."""


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    url: str
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NotificationType(Generic[P]):
    """One kind of notification.

    `params` is a TypedDict: its keys are exactly the parameters stored with each
    notification, and their annotations the JSON types they must have (str, int, float, bool,
    None, list, dict, or unions of them). `title`, `body` and `url` render the parameters;
    `labels` renders further display texts the pages put in place as they are (a formatted
    time, a state's label, an amount with its currency), so those are not stored either."""

    type: str
    params: builtins.type[P]
    audience: str  # who receives it, in words (the protocol document lists it)
    title: Callable[[P], str]
    body: Callable[[P], str]
    url: Callable[[P], str]
    # Which family it belongs to (realtime.families): the account page's e-mail choice.
    family: Family
    labels: Mapping[str, Callable[[P], str]] = field(default_factory=dict)
    # False for a type that is an e-mail already (reminders send their own): never copied.
    email_copy: bool = True
    # A file the e-mail copy carries for its recipient (a calendar invitation), made in the
    # recipient's language when the copy is sent; None when that recipient gets none.
    email_attachment: "Callable[[P, Notification], MIMEBase | None] | None" = None

    def render(self, params: Mapping[str, Any]) -> Rendered:
        typed: P = params  # type: ignore[assignment]
        return Rendered(
            title=self.title(typed),
            body=self.body(typed),
            url=self.url(typed),
            labels={name: label(typed) for name, label in self.labels.items()},
        )

    def shown_keys(self) -> frozenset[str]:
        """The keys rendered when the notification is shown (never stored)."""
        return RENDERED_KEYS | frozenset(self.labels)

    def keys(self) -> frozenset[str]:
        return frozenset(self.params.__required_keys__ | self.params.__optional_keys__)  # type: ignore[attr-defined]

    def required_keys(self) -> frozenset[str]:
        return frozenset(self.params.__required_keys__)  # type: ignore[attr-defined]


_CATALOGUE: dict[str, NotificationType[Any]] = {}


def register(kind: NotificationType[P]) -> NotificationType[P]:
    """Declare a notification type (at import of `<app>/notifications.py`); returns it.
    Refused without one of the declared families (realtime.families.FAMILIES)."""
    family = getattr(kind, "family", None)
    if not isinstance(family, Family) or FAMILIES.get(family.key) is not family:
        raise CatalogueError(f"{kind.type}: declare its family, one of {sorted(FAMILIES)}")
    clash = kind.keys() & kind.shown_keys()
    if clash:
        raise CatalogueError(f"{kind.type}: parameters may not be named {sorted(clash)}")
    existing = _CATALOGUE.get(kind.type)
    if existing is not None and existing is not kind:
        raise CatalogueError(f"notification type {kind.type!r} is declared twice")
    _CATALOGUE[kind.type] = kind
    return kind


def registered_types() -> dict[str, NotificationType[Any]]:
    return dict(_CATALOGUE)


def lookup(type_name: str) -> NotificationType[Any]:
    kind = _CATALOGUE.get(type_name)
    if kind is None:
        raise CatalogueError(f"notification type {type_name!r} is not registered")
    return kind


def _json_kinds(annotation: Any) -> tuple[type, ...]:
    """The Python types a JSON value of `annotation` may arrive as."""
    if annotation is Any:
        return (object,)
    if annotation is None or annotation is type(None):
        return (type(None),)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return tuple(kind for arg in get_args(annotation) for kind in _json_kinds(arg))
    if origin is not None:  # list[...], dict[...]
        return (origin,)
    if annotation is float:
        return (float, int)
    if isinstance(annotation, type) and hasattr(annotation, "__required_keys__"):
        return (dict,)  # a nested TypedDict
    return (annotation,)


def check_params(kind: NotificationType[Any], params: Mapping[str, Any]) -> None:
    """Refuse parameters that are missing, extra or of another type than declared."""
    given = set(params)
    missing = kind.required_keys() - given
    extra = given - kind.keys()
    if missing or extra:
        raise CatalogueError(
            f"{kind.type}: missing parameters {sorted(missing)}, unexpected {sorted(extra)}"
        )
    hints = get_type_hints(kind.params)
    for key, value in params.items():
        allowed = _json_kinds(hints[key])
        if isinstance(value, bool) and bool not in allowed and object not in allowed:
            raise CatalogueError(f"{kind.type}: {key} must be {hints[key]}, not a bool")
        if not isinstance(value, allowed):
            raise CatalogueError(
                f"{kind.type}: {key} must be {hints[key]}, not {type(value).__name__}"
            )


def render(type_name: str, params: Mapping[str, Any], *, language: str) -> Rendered:
    """Title, body and link of a stored notification, rendered now for a reader of `language`
    (times in the time zone active now: the tenant's on its pages)."""
    with translation.override(language):
        return _render(type_name, params)


def _render(type_name: str, params: Mapping[str, Any]) -> Rendered:
    kind = _CATALOGUE.get(type_name)
    if kind is not None:
        try:
            return kind.render(params)
        except (KeyError, TypeError, ValueError):
            # A row stored before its type's parameters changed: show what it carries.
            logger.warning("notification %s does not fit its declaration", type_name)
    # A row of a type since removed, or stored before the catalogue (it kept its sentences),
    # still shows, plainly.
    return Rendered(
        title=str(params.get("title") or type_name),
        body=str(params.get("body") or ""),
        url=str(params.get("url") or ""),
    )


def rendered_data(type_name: str, params: Mapping[str, Any], *, language: str) -> dict[str, Any]:
    """Protocol v1's `data`: the parameters plus `title`, `body`, `url` and the type's labels,
    rendered now for a reader of `language`."""
    shown = render(type_name, params, language=language)
    return {
        **params,
        **shown.labels,
        "title": shown.title,
        "body": shown.body,
        "url": shown.url,
    }


def stored_params(type_name: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored parameters of a notification's `data`, which may be a rendered copy (a live
    payload: its title, body, url and labels are dropped). Rows that carry their sentences
    as parameters (stored before the catalogue, or of a type no longer declared) keep them."""
    kind = _CATALOGUE.get(type_name)
    if kind is None:
        return dict(data)
    shown = kind.shown_keys()
    params = {key: value for key, value in data.items() if key not in shown}
    if len(params) == len(data):
        return params
    try:
        check_params(kind, params)
    except CatalogueError:
        return dict(data)  # an old row's own title, body and url: not a rendered copy
    return params


def render_for(
    language: str, type_name: str, data: Mapping[str, Any], *, zone: tzinfo
) -> dict[str, Any]:
    """THE seam for showing one notification to one reader: protocol v1's `data` rendered in
    `language` with times in `zone`. Pure (no database, no I/O), so a socket can call it on
    its event loop for each live copy it forwards:

        data = render_for(scope["language"], n["type"], n["data"], zone=tenant_zone(tenant))

    `data` may be the stored parameters or an already rendered copy (re-rendered from its
    parameters)."""
    with timezone.override(zone):
        return rendered_data(type_name, stored_params(type_name, data), language=language)
