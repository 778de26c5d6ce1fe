"""Every notification type names one of the declared families (realtime.families): the
account page offers e-mail copies per family, so a type without one is refused."""

from typing import TypedDict

import pytest

from realtime.catalogue import CatalogueError, NotificationType, register, registered_types
from realtime.families import FAMILIES, Family, families_for_kind


class _Params(TypedDict):
    text: str


def test_a_type_declared_without_a_family_is_refused() -> None:
    # without one at all, the declaration itself fails
    with pytest.raises(TypeError, match="family"):
        NotificationType(  # type: ignore[call-arg]
            type="test.familyless",
            params=_Params,
            audience="nobody",
            title=lambda p: p["text"],
            body=lambda p: "",
            url=lambda p: "",
        )
    # and a family that is not declared in realtime.families is refused by the catalogue
    stray = NotificationType(
        type="test.stray_family",
        params=_Params,
        audience="nobody",
        title=lambda p: p["text"],
        body=lambda p: "",
        url=lambda p: "",
        family=Family("gossip", "Gossip", email_copy=True, kinds=frozenset({"school"})),
    )
    with pytest.raises(CatalogueError, match="declare its family"):
        register(stray)
    assert "test.stray_family" not in registered_types()


def test_every_registered_type_has_a_declared_family() -> None:
    for kind in registered_types().values():
        assert FAMILIES[kind.family.key] is kind.family, kind.type


def test_reminders_are_never_copied_by_email() -> None:
    # the reminder runs send their own e-mail: a copy would be a second one
    types = registered_types()
    for name in ("appointment.reminder", "invoice.overdue", "invoice.due_soon"):
        assert types[name].email_copy is False, name


def test_each_kind_is_offered_its_own_families() -> None:
    assert [f.key for f in families_for_kind("school")] == [
        "grades",
        "billing",
        "announcements",
        "system",
    ]
    assert [f.key for f in families_for_kind("clinic")] == [
        "appointments",
        "messages",
        "announcements",
        "system",
    ]
