"""A page on one tenant's domain cannot open another tenant's socket; its own works."""

from typing import Any

import pytest

from accounts.roles import Role
from tenants.models import Tenant
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import new_user
from tests.factories import domain_of

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

# What a script on the page would do: open a socket, say hello, and report what happened.
PROBE = """
(url) => new Promise((resolve) => {
  const seen = {opened: false, frames: [], closeCode: null};
  const ws = new WebSocket(url);
  ws.onopen = () => {
    seen.opened = true;
    ws.send(JSON.stringify({v: 1, type: "hello", last_seq: 0}));
  };
  ws.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    seen.frames.push(frame.type);
    if (frame.type === "ready") ws.close(1000);
  };
  ws.onclose = (event) => { seen.closeCode = event.code; resolve(seen); };
  setTimeout(() => resolve(seen), 8000);
})
"""


def probe(visitor: Visitor, tenant: Tenant, port: int) -> dict[str, Any]:
    seen: dict[str, Any] = visitor.page.evaluate(PROBE, f"ws://{domain_of(tenant)}:{port}/ws/")
    return seen


@pytest.mark.parametrize(
    ("page_of", "target"),
    [("school_b", "school"), ("clinic_b", "clinic")],
    ids=["schools", "clinics"],
)
def test_a_page_cannot_open_another_tenants_socket(
    browsing: Browsing, page_of: str, target: str, request: pytest.FixtureRequest
) -> None:
    here: Tenant = request.getfixturevalue(page_of)
    there: Tenant = request.getfixturevalue(target)
    role = Role.STUDENT if here.kind == "school" else Role.PATIENT
    # given one person signed in on both tenants, looking at a page of the second one
    visitor = browsing.visitor("page")
    browsing.add_session(visitor, there, new_user(there, role))
    browsing.add_session(visitor, here, new_user(here, role))
    browsing.open(visitor, here, "/")
    visitor.wait_until_live()

    # when a script on that page opens a socket to the other tenant
    foreign = probe(visitor, there, browsing.port)

    # then it never opens: refused at the handshake (the browser reports 1006)
    assert foreign == {"opened": False, "frames": [], "closeCode": 1006}
    # while a socket to the page's own site opens, says hello and is served
    own = probe(visitor, here, browsing.port)
    assert own["opened"] and own["frames"][-1] == "ready", own
    assert visitor.page.evaluate("window.aviso.connected") is True
    browsing.shot(visitor, "own-site-live")
