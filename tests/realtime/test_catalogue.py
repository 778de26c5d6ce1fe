"""notify keeps to the catalogue: only registered types, only their declared parameters with
their declared JSON types; the row stores the parameters and every reader (socket, replay,
page) renders title, body and link from them."""

from typing import Any, TypedDict, cast

import pytest
from django_tenants.utils import tenant_context

from accounts.roles import Role
from realtime.catalogue import CatalogueError, NotificationType, register, registered_types
from realtime.families import SYSTEM
from realtime.models import Notification
from realtime.services import NotificationError, notification_payload, notify
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE
from testing.notifications import TestMessageParams as MessageParams
from tests.factories import make_user
from tests.realtime.conftest import ThrowawayParams

pytestmark = pytest.mark.django_db


class _Params(TypedDict):
    text: str


def test_an_unregistered_type_is_refused(school: Tenant) -> None:
    # given a declaration nobody registered
    stray = NotificationType(
        type="test.stray",
        params=_Params,
        audience="nobody",
        title=lambda p: p["text"],
        body=lambda p: "",
        url=lambda p: "",
        family=SYSTEM,
    )
    lisa = make_user(school, Role.STUDENT)
    with tenant_context(school):
        # when a service notifies with it, then it is refused and nothing is stored
        with pytest.raises(NotificationError, match="not registered"):
            hello: _Params = {"text": "hi"}
            notify(recipients=[lisa], kind=stray, params=hello)
        assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("params", "complaint"),
    [
        ({"count": 2}, r"missing parameters \['label'\]"),
        ({"count": 2, "label": "pens", "colour": "red"}, r"unexpected \['colour'\]"),
        ({"count": "2", "label": "pens"}, "count must be"),
        ({"count": True, "label": "pens"}, "count must be .* not a bool"),
        ({"count": 2, "label": "pens", "note": 7}, "note must be"),
    ],
    ids=["missing", "extra", "string-for-int", "bool-for-int", "int-for-optional-str"],
)
def test_parameters_that_do_not_match_the_declaration_are_refused(
    school: Tenant,
    throwaway_kind: NotificationType[ThrowawayParams],
    params: dict[str, Any],
    complaint: str,
) -> None:
    # given a registered type declaring count: int, label: str and an optional note
    lisa = make_user(school, Role.STUDENT)
    with tenant_context(school):
        # when a service passes parameters that differ from it, then notify refuses them
        with pytest.raises(NotificationError, match=complaint):
            # (the cast states what a careless caller would claim; notify must not trust it)
            notify(recipients=[lisa], kind=throwaway_kind, params=cast(ThrowawayParams, params))
        assert not Notification.objects.exists()


def test_matching_parameters_are_accepted(
    school: Tenant, throwaway_kind: NotificationType[ThrowawayParams]
) -> None:
    # given the same type, when the parameters match it (optional ones left out or null)
    lisa = make_user(school, Role.STUDENT)
    with tenant_context(school):
        short: ThrowawayParams = {"count": 2, "label": "pens"}
        with_null: ThrowawayParams = {"count": 3, "label": "pens", "note": None}
        for params in (short, with_null):
            notify(recipients=[lisa], kind=throwaway_kind, params=params)
        # then both are stored
        assert Notification.objects.filter(recipient=lisa).count() == 2


def test_the_row_stores_parameters_and_the_payload_renders_them(school: Tenant) -> None:
    # given the test message type (title = text, body = detail, no link)
    assert registered_types()[TEST_MESSAGE.type] is TEST_MESSAGE
    lisa = make_user(school, Role.STUDENT)
    with tenant_context(school):
        # when a notification is sent
        params: MessageParams = {"text": "Maths: A", "detail": "Well done"}
        (sent,) = notify(recipients=[lisa], kind=TEST_MESSAGE, params=params)
        stored = Notification.objects.get(pk=sent.pk)
    # then the row holds the parameters only, no rendered sentences
    assert stored.type == "test.message"
    assert stored.data == {"text": "Maths: A", "detail": "Well done"}
    # and what a socket sends (live or replayed) is the parameters plus title, body and url
    assert notification_payload(stored, language="en")["data"] == {
        "text": "Maths: A",
        "detail": "Well done",
        "title": "Maths: A",
        "body": "Well done",
        "url": "",
    }


def test_the_payload_renders_the_link_from_the_parameters(
    school: Tenant, throwaway_kind: NotificationType[ThrowawayParams]
) -> None:
    # given a type whose link is built from its parameters
    lisa = make_user(school, Role.STUDENT)
    with tenant_context(school):
        params: ThrowawayParams = {"count": 4, "label": "pens"}
        (sent,) = notify(recipients=[lisa], kind=throwaway_kind, params=params)
        stored = Notification.objects.get(pk=sent.pk)
    # when it is shown, then title, body and url come from the stored parameters
    data = notification_payload(stored, language="en")["data"]
    assert (data["title"], data["body"], data["url"]) == ("4 x pens", "", "/school/?count=4")
    assert stored.data == {"count": 4, "label": "pens"}


def test_a_row_that_no_longer_fits_its_declaration_still_shows(
    school: Tenant, throwaway_kind: NotificationType[ThrowawayParams]
) -> None:
    # given rows stored before the catalogue: one of a declared type whose parameters have
    # since changed (it kept its sentences), one of a type no longer declared
    lisa = make_user(school, Role.STUDENT)
    with tenant_context(school):
        old = Notification.objects.create(
            recipient=lisa,
            seq=1,
            type=throwaway_kind.type,
            data={"title": "Old title", "body": "Old body", "url": "/old/"},
        )
        gone = Notification.objects.create(recipient=lisa, seq=2, type="test.gone", data={})
        # when a socket or the inbox shows them
        shown_old = notification_payload(old, language="en")["data"]
        shown_gone = notification_payload(gone, language="en")["data"]
    # then the old row reads as it was written, and the retired type shows its name
    assert (shown_old["title"], shown_old["body"], shown_old["url"]) == (
        "Old title",
        "Old body",
        "/old/",
    )
    assert (shown_gone["title"], shown_gone["body"], shown_gone["url"]) == ("test.gone", "", "")


def test_labels_are_rendered_when_shown_and_may_not_be_stored() -> None:
    # given a type whose pages put a rendered label in place
    kind = NotificationType(
        type="test.labelled",
        params=_Params,
        audience="nobody",
        title=lambda p: p["text"],
        body=lambda p: "",
        url=lambda p: "",
        family=SYSTEM,
        labels={"shout": lambda p: p["text"].upper()},
    )
    # when it is rendered, then the label is part of what is shown
    assert kind.render({"text": "hi"}).labels == {"shout": "HI"}
    assert kind.shown_keys() == {"title", "body", "url", "shout"}

    # and a declaration whose parameter bears a label's name is refused
    class Clashing(TypedDict):
        shout: str

    clash = NotificationType(
        type="test.clash",
        params=Clashing,
        audience="nobody",
        title=lambda p: "",
        body=lambda p: "",
        url=lambda p: "",
        family=SYSTEM,
        labels={"shout": lambda p: ""},
    )
    with pytest.raises(CatalogueError, match="may not be named"):
        register(clash)
    assert "test.clash" not in registered_types()
