"""The inbox page: notifications listed newest first with title, body and link rendered from
their stored parameters, and the "mark read" buttons, whose bad input answers 400."""

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.catalogue import NotificationType
from realtime.models import Notification
from realtime.services import notify
from tenants.models import Tenant
from testing.notifications import TEST_MESSAGE
from testing.notifications import TestMessageParams as MessageParams
from tests.factories import client_for, make_user
from tests.realtime.conftest import ThrowawayParams

pytestmark = pytest.mark.django_db


def _unread(tenant: Tenant, user: User) -> list[int]:
    with tenant_context(tenant):
        return sorted(
            Notification.objects.filter(recipient=user, read_at__isnull=True).values_list(
                "seq", flat=True
            )
        )


def test_the_inbox_shows_rendered_notifications_newest_first(
    school: Tenant, throwaway_kind: NotificationType[ThrowawayParams]
) -> None:
    # given a student with two notifications, the newer one with a link
    lisa = make_user(school, Role.STUDENT)
    with tenant_context(school):
        message: MessageParams = {"text": "Maths: A", "detail": "Well done"}
        notify(recipients=[lisa], kind=TEST_MESSAGE, params=message)
        pens: ThrowawayParams = {"count": 4, "label": "pens"}
        notify(recipients=[lisa], kind=throwaway_kind, params=pens)
    # when she opens her inbox
    page = client_for(school, lisa).get("/notifications/").content.decode()
    # then both read as the catalogue renders them, the newest first, the link included
    pens_at, maths_at = page.index('data-seq="2"'), page.index('data-seq="1"')
    assert pens_at < maths_at
    assert '<a href="/school/?count=4">4 x pens</a>' in page
    assert "<strong>Maths: A</strong> <span>Well done</span>" in page
    assert "(2 unread)" in page


def test_mark_read_marks_one_or_all(school: Tenant) -> None:
    # given a student with three unread notifications
    lisa = make_user(school, Role.STUDENT)
    with tenant_context(school):
        message: MessageParams = {"text": "hello"}
        for _ in range(3):
            notify(recipients=[lisa], kind=TEST_MESSAGE, params=message)
    client = client_for(school, lisa)
    # when she marks the second read, then only it is read and she is back on her inbox
    response = client.post("/notifications/read/", {"seq": "2"})
    assert (response.status_code, response["Location"]) == (302, "/notifications/")
    assert _unread(school, lisa) == [1, 3]
    # when she marks all read, then none is left
    client.post("/notifications/read/", {"seq": "all"})
    assert _unread(school, lisa) == []


@pytest.mark.parametrize("seq", ["", "two", "-1", "1.5", "ALL", "9" * 30, "²"])
def test_mark_read_answers_400_to_bad_input(school: Tenant, seq: str) -> None:
    # given a student with one unread notification
    lisa = make_user(school, Role.STUDENT)
    with tenant_context(school):
        message: MessageParams = {"text": "hello"}
        notify(recipients=[lisa], kind=TEST_MESSAGE, params=message)
    # when the button sends something that is neither a seq nor "all"
    response = client_for(school, lisa).post("/notifications/read/", {"seq": seq})
    # then the answer is 400 and nothing is marked read
    assert response.status_code == 400
    assert _unread(school, lisa) == [1]
