"""What else happens when a notification is read: an app may ask to hear when its
notifications of one type turn read (the school counts who read an announcement). The inbox's
mark-read services call `read_hooks_run` inside their transaction with the rows that have
just turned read, so each read is heard exactly once (rows already read are not passed).

The hooks are registered by the apps (AppConfig.ready), so realtime imports none of them."""

from collections.abc import Callable

from accounts.models import User
from realtime.models import Notification

# hook(user, notifications of its type that just turned read)
ReadHook = Callable[[User, list[Notification]], None]

_HOOKS: dict[str, ReadHook] = {}


def read_hook_register(*, type_name: str, hook: ReadHook) -> None:
    _HOOKS[type_name] = hook


def read_hooked_types() -> frozenset[str]:
    return frozenset(_HOOKS)


def read_hooks_run(*, user: User, notifications: list[Notification]) -> None:
    by_type: dict[str, list[Notification]] = {}
    for notification in notifications:
        if notification.type in _HOOKS:
            by_type.setdefault(notification.type, []).append(notification)
    for type_name, rows in by_type.items():
        _HOOKS[type_name](user, rows)
