"""Announcements: who each audience reaches (exactly, once each, never another school's
people), what a teacher may address, the read count from both doors (the page and the inbox),
who may open an announcement, and bad input answered with the page and a message."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from realtime.models import Notification
from realtime.services import notification_preference_set
from school.models import Announcement, AnnouncementReach
from tenants.models import Tenant
from tests.factories import client_for
from tests.school.announcements_data import Town, make_town

pytestmark = pytest.mark.django_db

NEW = "/school/announcements/new/"


@pytest.fixture
def town(school: Tenant, school_b: Tenant) -> Town:
    return make_town(school, school_b)


def _send(
    client: Client, audience: str, *, reach: str = "everyone", title: str = "Trip", body: str = "x"
) -> Any:
    return client.post(NEW, {"title": title, "body": body, "audience": audience, "reach": reach})


def _received(school: Tenant, town: Town) -> list[str]:
    """Who holds an announcement notification, by name (sorted, with repeats kept)."""
    with tenant_context(school):
        ids = Notification.objects.filter(type="announcement.published").values_list(
            "recipient_id", flat=True
        )
        return sorted(town.name_of(pk) for pk in ids)


EVERY_STUDENT = ["s1", "s2", "s3", "s4"]
EVERY_GUARDIAN = ["g12", "g3", "g4"]
# the author (admin) left out
STAFF = ["admin2", "other_teacher", "teacher"]

# (audience, reach) -> who receives it
AUDIENCES = {
    ("school", "everyone"): sorted(EVERY_STUDENT + EVERY_GUARDIAN + STAFF),
    ("school", "members"): sorted(EVERY_STUDENT + STAFF),
    ("school", "guardians"): EVERY_GUARDIAN,
    ("level:1°", "everyone"): ["g12", "g3", "s1", "s2", "s3"],
    ("level:1°", "members"): ["s1", "s2", "s3"],
    ("level:1°", "guardians"): ["g12", "g3"],
    ("group:g1", "everyone"): ["g12", "s1", "s2"],
    ("group:g1", "members"): ["s1", "s2"],
    ("group:g1", "guardians"): ["g12"],
    ("course:c2", "everyone"): ["g3", "s3"],
    ("course:c2", "members"): ["s3"],
    ("course:c2", "guardians"): ["g3"],
}


def _audience(town: Town, audience: str) -> str:
    """ "group:g1" with the group's real id."""
    scope, _, name = audience.partition(":")
    if scope in ("group", "course"):
        return f"{scope}:{getattr(town, name).pk}"
    return audience


@pytest.mark.parametrize(("audience", "reach"), list(AUDIENCES))
def test_each_audience_reaches_exactly_its_people_once(
    school: Tenant, school_b: Tenant, town: Town, audience: str, reach: str
) -> None:
    # when the administrator sends an announcement to that audience
    response = _send(client_for(school, town.admin), _audience(town, audience), reach=reach)
    assert response.status_code == 302
    # then exactly its people hold it, once each (g12, guardian of two children in g1, once):
    # never the inactive student, never the author, never the other school's people
    assert _received(school, town) == AUDIENCES[audience, reach]
    with tenant_context(school):
        announcement = Announcement.objects.get()
        assert announcement.recipient_count == len(AUDIENCES[audience, reach])
        assert announcement.recipients.count() == len(AUDIENCES[audience, reach])
    with tenant_context(school_b):
        assert not Notification.objects.exists()


def test_the_recipient_sees_it_in_their_inbox_and_opens_it(school: Tenant, town: Town) -> None:
    response = _send(
        client_for(school, town.admin),
        f"group:{town.g1.pk}",
        title="Museum trip",
        body="We leave at 8:00.\nBring lunch.",
    )
    announcement_url = response["Location"]
    guardian = client_for(school, town.g12)
    inbox = guardian.get("/notifications/")
    assert "Museum trip" in inbox.text and "ADMIN: We leave at 8:00. Bring lunch." in inbox.text
    assert announcement_url in inbox.text
    page = guardian.get(announcement_url)
    assert page.status_code == 200
    assert "Museum trip" in page.text and "Bring lunch." in page.text
    assert "of 3 read" not in page.text  # the count is the author's
    listed = guardian.get("/school/announcements/")
    assert "Museum trip" in listed.text and "New announcement" not in listed.text


def test_only_the_author_administrators_and_recipients_open_it(
    school: Tenant, school_b: Tenant, town: Town
) -> None:
    # given the teacher's announcement to their course c1 (s1, s2, g12)
    response = _send(client_for(school, town.teacher), f"course:{town.c1.pk}")
    assert response.status_code == 302
    url = response["Location"]
    # then its author, the administrators and its recipients open it
    for user in (town.teacher, town.admin, town.s1, town.g12):
        assert client_for(school, user).get(url).status_code == 200, user
    # and for everyone else it does not exist: another group's student and guardian, the
    # other teacher, the other school's administrator on their own site
    for user in (town.s3, town.g3, town.s4, town.other_teacher):
        assert client_for(school, user).get(url).status_code == 404, user
    assert client_for(school_b, town.admin_b).get(url).status_code == 404
    # the read count is the author's and administrators' alone
    reads = url + "reads.json"
    assert client_for(school, town.teacher).get(reads).json() == {"read": 2, "recipients": 3}
    assert client_for(school, town.s1).get(reads).status_code == 404


def test_a_teacher_announces_only_to_their_current_courses_and_groups(
    school: Tenant, town: Town
) -> None:
    teacher = client_for(school, town.teacher)
    form = teacher.get(NEW)
    assert form.status_code == 200
    # the form offers their course and its group, nothing else
    assert f'value="course:{town.c1.pk}"' in form.text
    assert f'value="group:{town.g1.pk}"' in form.text
    for other in (f"course:{town.c2.pk}", f"group:{town.g2.pk}", f"course:{town.ended.pk}"):
        assert f'value="{other}"' not in form.text
    assert 'value="school"' not in form.text and 'value="level:' not in form.text
    # and a crafted post to anything else is refused on the page, sending nothing
    for audience in (
        f"course:{town.c2.pk}",  # another teacher's course
        f"group:{town.g2.pk}",  # a group they do not teach
        f"course:{town.ended.pk}",  # their course of an ended term
        "school",
        "level:1°",
    ):
        refused = _send(teacher, audience)
        assert refused.status_code == 404, audience
        assert "You cannot send an announcement to that audience." in refused.text
    assert _received(school, town) == []
    # their own group reaches it, guardians included
    assert _send(teacher, f"group:{town.g1.pk}").status_code == 302
    assert _received(school, town) == ["g12", "s1", "s2"]


def test_students_and_guardians_cannot_announce(school: Tenant, town: Town) -> None:
    for user in (town.s1, town.g12):
        client = client_for(school, user)
        assert client.get(NEW).status_code == 403
        assert _send(client, "school").status_code == 403
    assert _received(school, town) == []


def test_bad_input_is_answered_on_the_page(school: Tenant, school_b: Tenant, town: Town) -> None:
    admin = client_for(school, town.admin)
    group = f"group:{town.g1.pk}"
    # an empty body, a blank title, no audience, a garbled one, an unknown reach
    cases: list[tuple[dict[str, str], str]] = [
        ({"title": "T", "body": "   ", "audience": group, "reach": "everyone"}, "body"),
        ({"title": " ", "body": "b", "audience": group, "reach": "everyone"}, "title"),
        ({"title": "T", "body": "b", "audience": "", "reach": "everyone"}, "audience"),
        ({"title": "T", "body": "b", "audience": "group:١٢", "reach": "everyone"}, "audience"),
        ({"title": "T", "body": "b", "audience": "group:x", "reach": "everyone"}, "audience"),
        ({"title": "T", "body": "b", "audience": group, "reach": "all"}, "reach"),
        ({"title": "T", "body": "b" * 5001, "audience": group, "reach": "everyone"}, "body"),
    ]
    for data, field in cases:
        response = admin.post(NEW, data)
        assert response.status_code == 400, data
        assert 'class="errorlist' in response.text, data
        assert f'name="{field}"' in response.text
    # a group of the other school (its id is no group here) is a 404 with the form
    with tenant_context(school):
        from school.models import ClassGroup

        ours = set(ClassGroup.objects.values_list("pk", flat=True))
    with tenant_context(school_b):
        theirs = ClassGroup.objects.exclude(pk__in=ours).values_list("pk", flat=True).first()
    assert theirs is not None
    refused = _send(admin, f"group:{theirs}")
    assert refused.status_code == 404
    assert "You cannot send an announcement to that audience." in refused.text
    # a group with nobody in it is a 400 that says so
    empty = _send(admin, f"group:{town.empty_group.pk}")
    assert empty.status_code == 400
    assert "Nobody would receive this" in empty.text
    assert _received(school, town) == []


def _count(school: Tenant) -> tuple[int, int]:
    with tenant_context(school):
        a = Announcement.objects.get()
        return a.read_count, a.recipient_count


def _unread(school: Tenant, user: User) -> int:
    with tenant_context(school):
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def test_each_reader_counts_once_through_the_page_or_the_inbox(school: Tenant, town: Town) -> None:
    admin = client_for(school, town.admin)
    url = _send(admin, f"group:{town.g1.pk}", reach=AnnouncementReach.EVERYONE)["Location"]
    assert _count(school) == (0, 3)
    # s1 opens the page: read, and its notification too
    s1 = client_for(school, town.s1)
    assert s1.get(url).status_code == 200
    assert _count(school) == (1, 3) and _unread(school, town.s1) == 0
    # opening it again counts nothing more
    s1.get(url)
    assert _count(school) == (1, 3)
    # g12 marks the notification read in the inbox: that counts too, once
    g12 = client_for(school, town.g12)
    with tenant_context(school):
        seq = Notification.objects.get(recipient=town.g12).seq
    assert g12.post("/notifications/read/", {"seq": str(seq)}).status_code == 302
    assert _count(school) == (2, 3)
    g12.get(url)
    g12.post("/notifications/read/", {"seq": str(seq)})
    assert _count(school) == (2, 3)
    # s2 marks everything read
    assert client_for(school, town.s2).post("/notifications/read/", {"seq": "all"}).status_code
    assert _count(school) == (3, 3)
    # the author's page says so; the author opening it is no read
    page = admin.get(url)
    assert "3 of 3 read" in page.text
    assert _count(school) == (3, 3)
    listed = admin.get("/school/announcements/")
    assert "3 of 3" in listed.text


def test_an_email_copy_goes_to_whoever_keeps_announcement_copies_on(
    school: Tenant, town: Town, on_commit: Any
) -> None:
    # given the guardian of 1° A switched e-mail copies of announcements off (the family's
    # default is on)
    with tenant_context(school):
        notification_preference_set(user=town.g12, family="announcements", email_copy=False)
    # when the administrator announces to 1° A and the transaction commits
    with on_commit(execute=True):
        response = _send(
            client_for(school, town.admin), f"group:{town.g1.pk}", title="Museum trip", body="8:00"
        )
    assert response.status_code == 302
    # then the two students get an e-mail with its title and link, the guardian none
    assert sorted(m.to[0] for m in mail.outbox) == sorted([town.s1.email, town.s2.email])
    for message in mail.outbox:
        assert "Museum trip" in message.subject
        assert response["Location"] in message.body


def test_someone_invited_by_mistake_can_still_be_deleted_after_an_announcement(
    school: Tenant, town: Town
) -> None:
    # given a student invited by mistake (never signed in) who was in a school-wide
    # announcement's audience
    with tenant_context(school):
        town.s4.set_unusable_password()
        town.s4.save(update_fields=["password"])
    admin = client_for(school, town.admin)
    url = _send(admin, "school", reach="members")["Location"]
    # when an administrator deletes them
    deleted = admin.post(f"/people/{town.s4.pk}/delete/", follow=True)
    # then they are gone, and the announcement still opens, counting what was sent
    assert "is deleted" in deleted.text
    with tenant_context(school):
        assert not User.objects.filter(pk=town.s4.pk).exists()
    assert "0 of 7 read" in admin.get(url).text
