"""One table of close codes: the server's (realtime/protocol.py CLOSE_CODES). The pages get
it rendered, the browser clients share static/aviso/socket.js, and no JS file keeps a copy."""

import json
import re
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from accounts.roles import Role
from realtime.protocol import CLOSE_CODES, TERMINAL_CLOSE_CODES
from tenants.models import Tenant
from testing.client import backoff_delay, is_terminal
from tests.conftest import PUBLIC_DOMAIN
from tests.factories import client_for, make_user, session_for

ROOT = settings.BASE_DIR
STATIC_JS = sorted((ROOT / "static").rglob("*.js"))
TABLE = re.compile(r'<script id="aviso-close-codes" type="application/json">(.*?)</script>', re.S)


def _rendered_table(html: str) -> dict[str, dict[str, object]]:
    found = TABLE.search(html)
    assert found, "the page does not carry the close-code table"
    table: dict[str, dict[str, object]] = json.loads(found.group(1))
    return table


def _expected_table() -> dict[str, dict[str, object]]:
    return {
        str(code): {"name": close.name, "terminal": close.terminal, "message": close.message}
        for code, close in CLOSE_CODES.items()
    }


def test_the_terminal_codes_are_the_documented_ones() -> None:
    # given the protocol document's advice per close code
    # then the table marks as terminal exactly those it tells clients to stop on
    terminal = set(TERMINAL_CLOSE_CODES)
    assert terminal == {4401, 4410, 4413, 4423, 4429}
    assert not CLOSE_CODES[4503].terminal and not CLOSE_CODES[1012].terminal
    doc = (ROOT / "docs" / "realtime-protocol.md").read_text()
    for code in CLOSE_CODES:
        assert f"{code} |" in doc, f"{code} is not documented"


def test_the_python_client_stops_on_the_servers_terminal_codes_only() -> None:
    # given the codes the server sends, and those of a dropped or failed connection
    codes = [*CLOSE_CODES, 1000, 1006, 1011]
    # then the shared Python client gives up on exactly the table's terminal ones
    assert {code for code in codes if is_terminal(code)} == TERMINAL_CLOSE_CODES
    # and otherwise waits at most the doubling ceiling, capped at 30 s
    assert all(0 <= backoff_delay(attempt) <= min(30.0, 0.5 * 2**attempt) for attempt in range(12))


def test_no_javascript_file_spells_a_close_code() -> None:
    # given every script the pages load
    assert STATIC_JS
    for path in STATIC_JS:
        source = path.read_text()
        # then none names a code of the server's table: they read the rendered one
        for code in CLOSE_CODES:
            assert not re.search(rf"\b{code}\b", source), f"{path.name} spells close code {code}"


def test_one_file_opens_websockets_and_both_clients_use_it() -> None:
    # given the scripts of the tenant pages and of the operators' console
    opening = [
        p.relative_to(ROOT).as_posix() for p in STATIC_JS if "new WebSocket" in p.read_text()
    ]
    # then only socket.js opens sockets, and both clients go through it
    assert opening == ["static/aviso/socket.js"]
    for client in ("static/aviso/realtime.js", "static/console/console.js"):
        assert "AvisoSocket.open(" in (ROOT / client).read_text(), client


@pytest.mark.django_db
def test_a_tenant_page_carries_the_servers_table_before_its_client(school: Tenant) -> None:
    # given a signed-in student of a school
    browser = client_for(school, make_user(school, Role.STUDENT))
    # when a page is shown
    html = browser.get("/notifications/").content.decode()
    # then it carries every code of the server's table with its terminal flag and message
    assert _rendered_table(html) == _expected_table()
    # and loads the shared socket before the tenant client that uses it
    assert html.index("aviso/socket.js") < html.index("aviso/realtime.js")


@pytest.mark.django_db
def test_a_console_page_carries_the_servers_table_before_its_client() -> None:
    # given a signed-in operator
    with schema_context(get_public_schema_name()):
        operator = User.objects.create_user(
            email=f"ops@{PUBLIC_DOMAIN}", role=Role.OPERATOR, is_staff=True
        )
        public = Tenant.objects.get(schema_name=get_public_schema_name())
        cookie = SimpleCookie()
        cookie[settings.SESSION_COOKIE_NAME] = session_for(public, operator)
    browser = Client(HTTP_HOST=PUBLIC_DOMAIN)
    browser.cookies.update(cookie)
    # when the console's monitor page is shown
    response = browser.get("/monitor/")
    assert response.status_code == 200
    html = response.content.decode()
    # then it carries the same table and loads the shared socket before the console's client
    assert _rendered_table(html) == _expected_table()
    assert html.index("aviso/socket.js") < html.index("console/console.js")
