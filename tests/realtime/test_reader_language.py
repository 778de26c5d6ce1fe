"""A notification is shown in its reader's language, with times in the tenant's zone, at the
time it is shown: on the inbox page (the page's language), on replay (the user's language as
stored then), in an e-mail copy (recipient_locale). A live copy is rendered once per language
among its recipients, and each socket gets its reader's."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime import catalogue
from realtime.asgi import TenantSocketGate
from realtime.catalogue import NotificationType, register, render_for
from realtime.families import SYSTEM
from realtime.services import notification_payload, notify, recipient_locale
from realtime.socket_queries import replay_page
from tenants.models import Tenant
from tests.factories import client_for, make_user, session_for, ws_headers
from tests.realtime.helpers import communicator, receive, start

# 2026-12-31 20:30 UTC is 14:30 in Mexico City.
MOMENT = datetime(2026, 12, 31, 20, 30, tzinfo=UTC).isoformat()
SPANISH = {"title": "Notificaciones", "body": "31/12/2026 14:30", "when": "14:30"}
ENGLISH = {"title": "Notifications", "body": "Dec 31, 2026 2:30 PM", "when": "2:30 PM"}


class DatedParams(TypedDict):
    at: str


def _moment(p: DatedParams) -> datetime:
    return timezone.localtime(datetime.fromisoformat(p["at"]))


@pytest.fixture
def dated_kind() -> Iterator[NotificationType[DatedParams]]:
    """A type whose title is a catalogue word and whose body and label are a time, rendered
    the way the product's types render (gettext, the language's formats, the active zone)."""
    kind = register(
        NotificationType(
            type="test.dated",
            params=DatedParams,
            audience="one test",
            title=lambda p: gettext("Notifications"),
            body=lambda p: date_format(_moment(p), "SHORT_DATETIME_FORMAT"),
            url=lambda p: "",
            family=SYSTEM,
            labels={"when": lambda p: date_format(_moment(p), "TIME_FORMAT")},
        )
    )
    try:
        yield kind
    finally:
        catalogue._CATALOGUE.pop(kind.type, None)


def _shown(data: dict[str, Any]) -> dict[str, str]:
    return {key: data[key] for key in ("title", "body", "when")}


def _mexican(tenant: Tenant, *, default: str = "en") -> None:
    tenant.timezone = "America/Mexico_City"
    tenant.default_language = default
    tenant.save(update_fields=["timezone", "default_language"])


def _readers(tenant: Tenant) -> tuple[User, User]:
    """Lisa reads Spanish, Bart chose nothing (the tenant's default)."""
    lisa = make_user(tenant, Role.STUDENT, name="Lisa")
    bart = make_user(tenant, Role.STUDENT, name="Bart")
    with tenant_context(tenant):
        lisa.language = "es-mx"
        lisa.save(update_fields=["language"])
    return lisa, bart


@pytest.mark.django_db
def test_the_payload_and_the_inbox_read_in_the_readers_language(
    school: Tenant, school_b: Tenant, dated_kind: NotificationType[DatedParams]
) -> None:
    # given an English school in Mexico City, Lisa who reads Spanish and Bart who chose none
    _mexican(school)
    lisa, bart = _readers(school)
    with tenant_context(school):
        (for_lisa, for_bart) = notify(
            recipients=[lisa, bart], kind=dated_kind, params=DatedParams(at=MOMENT)
        )
        # then the payload is rendered in whichever language it is asked for, in the zone
        assert _shown(notification_payload(for_lisa, language="es-mx")["data"]) == SPANISH
        assert _shown(notification_payload(for_bart, language="en")["data"]) == ENGLISH
        # and the stored row holds the parameters only
        assert for_lisa.data == {"at": MOMENT}
    # when each opens the inbox, then each reads it in their own language and format
    lisa_inbox = client_for(school, lisa).get("/notifications/").content.decode()
    bart_inbox = client_for(school, bart).get("/notifications/").content.decode()
    assert "<strong>Notificaciones</strong> <span>31/12/2026 14:30</span>" in lisa_inbox
    assert "(1 sin leer)" in lisa_inbox
    assert "<strong>Notifications</strong> <span>Dec 31, 2026 2:30 PM</span>" in bart_inbox
    assert "(1 unread)" in bart_inbox


@pytest.mark.django_db
def test_replay_renders_in_the_language_each_user_has_now(
    school: Tenant, dated_kind: NotificationType[DatedParams]
) -> None:
    _mexican(school, default="es-mx")
    lisa, bart = _readers(school)
    with tenant_context(school):
        User.objects.filter(pk=lisa.pk).update(language="en")
        notify(recipients=[lisa, bart], kind=dated_kind, params=DatedParams(at=MOMENT))
        # Lisa now reads English, Bart the school's (now Spanish) default
        (lisa_page,) = replay_page(user_id=lisa.pk, after_seq=0)
        (bart_page,) = replay_page(user_id=bart.pk, after_seq=0)
        # a socket that knows its reader's language passes it
        (as_asked,) = replay_page(user_id=bart.pk, after_seq=0, language="en")
    assert _shown(lisa_page["data"]) == ENGLISH
    assert _shown(bart_page["data"]) == SPANISH
    assert _shown(as_asked["data"]) == ENGLISH


@pytest.mark.django_db
def test_an_email_copy_is_written_in_the_recipients_language_and_the_tenants_zone(
    school: Tenant, dated_kind: NotificationType[DatedParams]
) -> None:
    _mexican(school)
    lisa, bart = _readers(school)
    with tenant_context(school):
        with recipient_locale(lisa) as language:
            lisa_copy = dated_kind.render({"at": MOMENT})
        assert language == "es-mx"
        with recipient_locale(bart) as language:
            bart_copy = dated_kind.render({"at": MOMENT})
        assert language == "en"
    assert (lisa_copy.title, lisa_copy.body) == (SPANISH["title"], SPANISH["body"])
    assert (bart_copy.title, bart_copy.body) == (ENGLISH["title"], ENGLISH["body"])


def test_render_for_rerenders_a_live_copy_for_another_reader(
    dated_kind: NotificationType[DatedParams],
) -> None:
    # given a live copy rendered in English, UTC
    zone = ZoneInfo("America/Mexico_City")
    live = render_for("en", dated_kind.type, {"at": MOMENT}, zone=UTC)
    assert live["body"] == "Dec 31, 2026 8:30 PM"
    # when a Spanish reader's socket re-renders it, then it reads as their replay would
    again = render_for("es-mx", dated_kind.type, live, zone=zone)
    assert _shown(again) == SPANISH and again["at"] == MOMENT
    # and no rendered key of the first rendering survives as a parameter
    assert set(again) == {"at", "title", "body", "url", "when"}


@pytest.mark.usefixtures("live_db")
async def test_a_socket_knows_its_readers_language_and_replays_in_it(
    school: Tenant, dated_kind: NotificationType[DatedParams]
) -> None:
    await database_sync_to_async(_mexican)(school)
    lisa, bart = await database_sync_to_async(_readers)(school)

    # the scope of each socket names its reader's language
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(scope)

    async def nothing_received() -> dict[str, Any]:
        return {}

    async def nothing_sent(message: dict[str, Any]) -> None:
        return None

    for user, language in ((lisa, "es-mx"), (bart, "en")):
        key = await database_sync_to_async(session_for)(school, user)
        headers = await database_sync_to_async(ws_headers)(school, session_key=key)
        scope = {"type": "websocket", "path": "/ws/", "headers": headers}
        await TenantSocketGate(app, path="/ws/")(scope, nothing_received, nothing_sent)
        assert seen["language"] == language

    # and a replay over the real socket stack is in the reader's language
    def send_one() -> None:
        with tenant_context(school):
            notify(recipients=[lisa, bart], kind=dated_kind, params=DatedParams(at=MOMENT))

    await database_sync_to_async(send_one)()
    for user, expected in ((lisa, SPANISH), (bart, ENGLISH)):
        comm = await communicator(school, user)
        _ready, replayed = await start(comm)
        assert [_shown(n["data"]) for n in replayed] == [expected]
        await comm.disconnect()


@pytest.mark.usefixtures("live_db")
async def test_each_live_copy_is_in_its_readers_language(
    school: Tenant, dated_kind: NotificationType[DatedParams]
) -> None:
    # given a Mexican school (Spanish by default) where Lisa reads Spanish and Bart chose
    # English, both with a page open
    await database_sync_to_async(_mexican)(school, default="es-mx")
    lisa, bart = await database_sync_to_async(_readers)(school)

    def choose_english() -> None:
        with tenant_context(school):
            bart.language = "en"
            bart.save(update_fields=["language"])

    await database_sync_to_async(choose_english)()
    sockets = {user.pk: await communicator(school, user) for user in (lisa, bart)}
    for comm in sockets.values():
        await start(comm)

    # when one notification goes to both
    def send_one() -> None:
        with tenant_context(school):
            notify(recipients=[lisa, bart], kind=dated_kind, params=DatedParams(at=MOMENT))

    await database_sync_to_async(send_one)()
    # then each page shows it live in its reader's language
    assert _shown((await receive(sockets[lisa.pk]))["notification"]["data"]) == SPANISH
    assert _shown((await receive(sockets[bart.pk]))["notification"]["data"]) == ENGLISH
    for comm in sockets.values():
        await comm.disconnect()
