"""The staff's messages inbox: which threads each role sees (clinic.access.appointments_visible_to),
unread counts kept per reader, newest message first, and what a bad request gets."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from clinic.models import Appointment, AppointmentMessage, ThreadRead
from clinic.services.messages import appointment_message_post
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment, slot
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db

INBOX = "/clinic/messages/"
DATA = "/clinic/messages/data/"


def threads_of(tenant: Tenant, user: User) -> list[dict[str, Any]]:
    response = client_for(tenant, user).get(DATA)
    assert response.status_code == 200
    threads: list[dict[str, Any]] = response.json()["threads"]
    return threads


def unread_of(tenant: Tenant, user: User) -> dict[int, int]:
    return {t["appointment_id"]: t["unread"] for t in threads_of(tenant, user)}


def write(a: Appointment, author: User, body: str) -> AppointmentMessage:
    return appointment_message_post(appointment=a, author=author, body=body)


def test_each_role_sees_the_threads_it_may(c: Clinic, other: Clinic, clinic: Tenant) -> None:
    # given a thread with each dentist, an appointment nobody wrote about, and another
    # clinic's thread
    with tenant_context(clinic):
        able = make_appointment(c, starts_at=slot(hour=9))
        baker = make_appointment(c, starts_at=slot(hour=11), dentist=c.dentist2, patient=c.patient2)
        make_appointment(c, starts_at=slot(hour=14))
        write(able, c.patient, "Able's patient asks")
        write(baker, c.patient2, "Baker's patient asks")
    with tenant_context(other.tenant):
        elsewhere = make_appointment(other)
        write(elsewhere, other.patient, "Another clinic's secret")
    # when each of them opens the inbox, then the front desk sees both threads, each dentist
    # only their own patients', and nobody another clinic's
    seen = {
        "receptionist": {able.pk, baker.pk},
        "admin": {able.pk, baker.pk},
        "dentist": {able.pk},
        "dentist2": {baker.pk},
    }
    for who, expected in seen.items():
        user = getattr(c, who)
        assert {t["appointment_id"] for t in threads_of(clinic, user)} == expected, who
        page = client_for(clinic, user).get(INBOX).content.decode()
        assert "Another clinic&#x27;s secret" not in page and "Another clinic's secret" not in page
    page = client_for(clinic, c.dentist).get(INBOX).content.decode()
    assert "Able&#x27;s patient asks" in page and "Baker&#x27;s patient asks" not in page
    # and patients have no inbox (their threads are on their appointments)
    for path in (INBOX, DATA):
        assert client_for(clinic, c.patient).get(path).status_code == 403
    # and the other clinic's front desk sees only its own thread
    assert [t["excerpt"] for t in threads_of(other.tenant, other.receptionist)] == [
        "Another clinic's secret"
    ]


def test_a_row_shows_the_patient_the_time_and_the_last_message(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c)
        write(a, c.patient, "First question")
        write(a, c.patient, "Can I come at 10:15 instead?   Thanks\nPat")
    [row] = threads_of(clinic, c.receptionist)
    assert row["patient_name"] == "Pat One" and row["dentist_name"] == "Dr. Able"
    assert row["excerpt"] == "Can I come at 10:15 instead? Thanks Pat"
    assert row["author_name"] == "Pat One" and row["from_patient"] is True
    assert row["url"] == f"/clinic/appointments/{a.pk}/#thread"
    page = client_for(clinic, c.receptionist).get(INBOX).content.decode()
    assert (
        "Pat One" in page and "2 unread" in page and f'href="/clinic/appointments/{a.pk}/' in page
    )


def test_a_long_message_is_cut_short_in_the_inbox(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        write(make_appointment(c), c.patient, "word " * 100)
    [row] = threads_of(clinic, c.receptionist)
    assert len(row["excerpt"]) == 120 and row["excerpt"].endswith("…")


def test_unread_counts_are_kept_per_reader(c: Clinic, clinic: Tenant) -> None:
    # given two receptionists and a patient who wrote twice
    colleague = make_user(clinic, Role.RECEPTIONIST, name="Second Desk")
    with tenant_context(clinic):
        a = make_appointment(c)
        write(a, c.patient, "one")
        write(a, c.patient, "two")
    for user in (c.receptionist, colleague, c.dentist, c.admin):
        assert unread_of(clinic, user) == {a.pk: 2}
    # when one receptionist opens the thread
    assert (
        client_for(clinic, c.receptionist).get(f"/clinic/appointments/{a.pk}/").status_code == 200
    )
    # then only their count is cleared
    assert unread_of(clinic, c.receptionist) == {a.pk: 0}
    assert unread_of(clinic, colleague) == {a.pk: 2}
    assert unread_of(clinic, c.dentist) == {a.pk: 2}
    # and the next message counts from there for each reader
    with tenant_context(clinic):
        write(a, c.patient, "three")
    assert unread_of(clinic, c.receptionist) == {a.pk: 1}
    assert unread_of(clinic, colleague) == {a.pk: 3}
    # when the receptionist answers from the thread's page, their own answer is not unread to
    # them (writing is reading) but is to the others who have not read the thread
    response = client_for(clinic, c.receptionist).post(
        f"/clinic/appointments/{a.pk}/messages/", {"body": "Yes, see you then."}
    )
    assert response.status_code == 302
    assert unread_of(clinic, c.receptionist) == {a.pk: 0}
    assert unread_of(clinic, colleague) == {a.pk: 4}
    assert unread_of(clinic, c.dentist) == {a.pk: 4}


def test_the_nav_shows_the_readers_unread_total(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        write(make_appointment(c, starts_at=slot(hour=9)), c.patient, "one")
        b = make_appointment(c, starts_at=slot(hour=11), patient=c.patient2)
        write(b, c.patient2, "two")
        write(b, c.patient2, "three")
    page = client_for(clinic, c.receptionist).get("/clinic/").content.decode()
    assert 'id="clinic-inbox-unread" class="count"' in page
    assert ">3</span>" in page.split('id="clinic-inbox-unread"')[1][:200]
    assert client_for(clinic, c.receptionist).get(DATA).json()["unread_total"] == 3
    # Dr. Baker has no threads: no number shown
    page = client_for(clinic, c.dentist2).get("/clinic/").content.decode()
    assert 'class="count" data-data-url="/clinic/messages/data/" hidden>0<' in page
    # patients have no messages inbox in their nav
    assert (
        "clinic-inbox-unread" not in client_for(clinic, c.patient).get("/clinic/").content.decode()
    )


def test_the_newest_message_comes_first(c: Clinic, clinic: Tenant) -> None:
    now = timezone.now()
    with tenant_context(clinic):
        old, mid, new = (
            make_appointment(c, starts_at=slot(hour=h), patient=p)
            for h, p in ((9, c.patient), (11, c.patient2), (14, c.patient))
        )
        for a, minutes_ago in ((old, 30), (mid, 20), (new, 10)):
            m = write(a, c.patient if a.patient == c.patient else c.patient2, "hello")
            AppointmentMessage.objects.filter(pk=m.pk).update(
                created_at=now - timedelta(minutes=minutes_ago)
            )
    assert [t["appointment_id"] for t in threads_of(clinic, c.receptionist)] == [
        new.pk,
        mid.pk,
        old.pk,
    ]
    # a new message on the oldest thread moves it to the top
    with tenant_context(clinic):
        write(old, c.patient, "again")
    order = [t["appointment_id"] for t in threads_of(clinic, c.receptionist)]
    assert order == [old.pk, new.pk, mid.pk]
    page = client_for(clinic, c.receptionist).get(INBOX).content.decode()
    positions = [page.index(f'data-appointment="{pk}"') for pk in order]
    assert positions == sorted(positions)


def test_a_page_reports_a_message_it_showed_live(c: Clinic, clinic: Tenant) -> None:
    # given three messages the receptionist has not read
    with tenant_context(clinic):
        a = make_appointment(c)
        first, second, _ = (write(a, c.patient, t) for t in ("a", "b", "c"))
    client = client_for(clinic, c.receptionist)
    read = f"/clinic/appointments/{a.pk}/read/"
    # when the page says it showed the second, then one is left
    assert client.post(read, {"message": second.pk}).json() == {"last_read_id": second.pk}
    assert unread_of(clinic, c.receptionist) == {a.pk: 1}
    # and a late report of an earlier one does not bring the count back
    assert client.post(read, {"message": first.pk}).json() == {"last_read_id": second.pk}
    assert unread_of(clinic, c.receptionist) == {a.pk: 1}
    # an id beyond the thread reads to its end, not further
    with tenant_context(clinic):
        last = AppointmentMessage.objects.order_by("-pk").first()
        assert last is not None
    assert client.post(read, {"message": last.pk + 1000}).json() == {"last_read_id": last.pk}


def test_bad_input_gets_a_clear_answer(c: Clinic, other: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        a = make_appointment(c)
        write(a, c.patient, "hi")
    with tenant_context(other.tenant):
        # the other clinic's appointment, under an id this clinic has not got
        elsewhere = make_appointment(other)
        while elsewhere.pk <= a.pk:
            elsewhere = make_appointment(other, starts_at=elsewhere.ends_at)
        write(elsewhere, other.patient, "hi")
    desk = client_for(clinic, c.receptionist)
    missing = elsewhere.pk
    # a reply to an appointment this clinic has not got: 404, nothing stored
    response = desk.post(f"/clinic/appointments/{missing}/messages/", {"body": "hello?"})
    assert response.status_code == 404
    assert desk.post(f"/clinic/appointments/{missing}/read/", {"message": 1}).status_code == 404
    # a dentist answering a colleague's patient: 404 as for one that does not exist
    response = client_for(clinic, c.dentist2).post(
        f"/clinic/appointments/{a.pk}/messages/", {"body": "hi"}
    )
    assert response.status_code == 404
    # an empty reply: the page says what to do, nothing is stored
    response = desk.post(f"/clinic/appointments/{a.pk}/messages/", {"body": "  \n "})
    assert response.status_code == 400 and "Write a message first." in response.content.decode()
    # a read report without a readable message id
    for body in ({}, {"message": "x"}, {"message": "0"}, {"message": "٣"}):
        response = desk.post(f"/clinic/appointments/{a.pk}/read/", body)
        assert response.status_code == 400 and response.json()["error"] == "bad_input", body
    # reading is for the staff's inbox: patients are refused
    patient = client_for(clinic, c.patient)
    assert patient.post(f"/clinic/appointments/{a.pk}/read/", {"message": 1}).status_code == 403
    with tenant_context(clinic):
        assert AppointmentMessage.objects.count() == 1
        assert not ThreadRead.objects.filter(user=c.receptionist).exists()
