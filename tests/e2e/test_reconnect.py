"""A page that lost its network catches up, exactly once, when the network comes back.

The browser reaches Daphne through a proxy the test can cut (tests/e2e/proxy.py). While it is
cut, grades are published and the nightly invoice job runs on the real Celery worker."""

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from school.tasks import invoices_daily
from tenants.models import Tenant
from tenants.tasks import enqueue_for_tenant
from tests.e2e.browser import Browsing
from tests.e2e.data import classroom, notifications_of, overdue_invoice, publish
from tests.e2e.proxy import CuttableProxy

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

# The client backs off up to 30 s between attempts (full jitter); a short cut keeps it small.
RECONNECT_PATIENCE = 35_000


def wait_for(predicate: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_page_catches_up_after_the_network_is_restored(
    browsing: Browsing, proxy: CuttableProxy, school: Tenant, school_b: Tenant
) -> None:
    # given Alice (and a student of another school) with grades pages open through the link
    room = classroom(school, drafts=3)
    overdue_invoice(room)
    other = classroom(school_b, student_name="Bruno Beta")
    alice = browsing.signed_in(
        "student", school, room.student, "/school/my/grades/", port=proxy.port
    )
    bruno = browsing.signed_in(
        "other-student", school_b, other.student, "/school/my/grades/", port=proxy.port
    )
    rows = alice.page.locator(
        f'section.course[data-course-id="{room.course.pk}"] tr[data-grade-id]'
    )
    expect(rows).to_have_count(1)
    alice.mark_page()
    offline = alice.page.locator("#aviso-offline")
    expect(offline).to_be_hidden()
    browsing.shot(alice, "online")

    # when the network drops
    proxy.cut()
    expect(offline).to_be_visible()
    expect(bruno.page.locator("#aviso-offline")).to_be_visible()
    browsing.shot(alice, "offline")
    # and meanwhile two grades are published for Alice, one for Bruno, and the nightly job
    # (on the worker) reminds Alice of her overdue invoice
    publish(room, room.drafts[0])
    publish(room, room.drafts[1])
    publish(other, other.drafts[0])
    enqueue_for_tenant(invoices_daily, schema_name=school.schema_name)
    wait_for(lambda: notifications_of(school, room.student, "invoice.overdue") == 1)
    expect(rows).to_have_count(1)  # the page cannot know yet
    assert alice.seqs() == []
    browsing.shot(alice, "offline-while-things-happen")

    # when the network comes back
    proxy.restore()
    expect(offline).to_be_hidden(timeout=RECONNECT_PATIENCE)

    # then Alice's page shows everything it missed, each exactly once
    for draft in room.drafts[:2]:
        expect(rows.and_(alice.page.locator(f'[data-grade-id="{draft.pk}"]'))).to_have_count(1)
    expect(rows).to_have_count(3)
    expect(alice.page.locator(".course-average")).to_have_text("74.17")  # 75, 85, 62.5
    expect(alice.page.locator("#aviso-unread")).to_have_text("3")
    assert alice.seqs() == [1, 2, 3]
    toasts = alice.page.evaluate("window.__e2e.toasts")
    assert sorted((t["title"], t["body"]) for t in toasts) == [
        ("Invoice overdue", toasts_body(toasts, "Invoice overdue")),
        ("New grade in Mathematics 9A", "Algebra test 17/20"),
        ("New grade in Mathematics 9A", "Geometry test 12.5/20"),
    ]
    alice.expect_not_reloaded()
    browsing.shot(alice, "caught-up")
    # and Bruno's page caught up with his own grade only
    expect(bruno.page.locator("#aviso-offline")).to_be_hidden(timeout=RECONNECT_PATIENCE)
    expect(bruno.page.locator("tr[data-grade-id]")).to_have_count(2)
    expect(bruno.page.locator("#aviso-unread")).to_have_text("1")
    assert bruno.seqs() == [1]
    browsing.shot(bruno, "caught-up")

    # when one more grade is published with the network up, it arrives live, once
    publish(room, room.drafts[2])
    expect(rows).to_have_count(4)
    expect(alice.page.locator("#aviso-unread")).to_have_text("4")
    wait_for(lambda: len(alice.seqs()) >= 4)
    assert alice.seqs() == [1, 2, 3, 4]
    assert alice.toast_titles().count("New grade in Mathematics 9A") == 3
    alice.expect_not_reloaded()
    browsing.shot(alice, "live-again")


def toasts_body(toasts: list[dict[str, str]], title: str) -> str:
    bodies = [t["body"] for t in toasts if t["title"] == title]
    assert len(bodies) == 1, bodies
    assert "Lab fees" in bodies[0] and "outstanding" in bodies[0], bodies[0]
    return bodies[0]
