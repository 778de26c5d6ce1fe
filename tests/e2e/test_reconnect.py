"""A page that lost its network catches up, exactly once, when the network comes back.

The browser reaches Daphne through a proxy the test can cut (tests/e2e/proxy.py). While it is
cut, grades are published and the nightly invoice job runs on the real Celery worker."""

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Response, expect

from school.tasks import invoices_daily
from tenants.models import Tenant
from tenants.tasks import enqueue_for_tenant
from testing.proxy import CuttableProxy
from tests.e2e.browser import Browsing
from tests.e2e.data import classroom, notifications_of, overdue_invoice, publish

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

# The client backs off up to 30 s between attempts (full jitter); a short cut keeps it small.
RECONNECT_PATIENCE = 35_000


def wait_for(predicate: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def re_read_of_grades(response: Response) -> bool:
    return response.url.endswith("/school/my/grades/fragment/") and response.ok


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

    # when the network comes back (and the page re-reads its state, as it must after any
    # reconnect: waiting for that keeps the live check below from racing the re-read)
    with alice.page.expect_response(re_read_of_grades, timeout=RECONNECT_PATIENCE):
        proxy.restore()
    expect(offline).to_be_hidden()

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
        ("New grade in Mathematics 9A", "Algebra test 17/20 (85)"),
        ("New grade in Mathematics 9A", "Geometry test 12.5/20 (62.5)"),
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


def test_the_browsers_back_online_event_does_not_open_a_second_socket(
    browsing: Browsing, proxy: CuttableProxy, school: Tenant
) -> None:
    # given a page whose network dropped, retrying with backoff (jitter pinned to its ceiling
    # so the retry timetable is known: 0.5 s, 1 s, 2 s)
    room = classroom(school)
    alice = browsing.visitor("student")
    alice.context.add_init_script("Math.random = () => 0.999;")
    browsing.add_session(alice, school, room.student)
    browsing.open(alice, school, "/school/my/grades/", port=proxy.port)
    alice.wait_until_live()
    proxy.cut()
    expect(alice.page.locator("#aviso-offline")).to_be_visible()
    alice.page.wait_for_function(
        "window.__e2e.sockets.length >= 3"  # the first socket and two refused retries
        " && window.__e2e.sockets.every((s) => s.readyState === WebSocket.CLOSED)"
    )
    # when the network returns and the browser says so ("online") before the next retry
    proxy.restore()
    alice.page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(alice.page.locator("#aviso-offline")).to_be_hidden()
    # then, once the retry that was pending has had its time (2 s), the page still has one
    # socket, as the protocol says: one per page
    alice.page.wait_for_timeout(2500)
    browsing.shot(alice, "back-online")
    assert alice.open_sockets() == 1, f"{alice.open_sockets()} sockets open"
