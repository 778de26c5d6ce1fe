"""The setup pages as people use them: who may open which (clinic.access.SETUP_ROLES), what
an empty clinic shows instead of a 404, the checklist, and each page's form writing through
its service. The second clinic is always there and nothing reaches it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from clinic.clock import local_today
from clinic.models import (
    Appointment,
    AppointmentType,
    Chair,
    ClinicHoliday,
    ClinicSettings,
    DayOff,
    WorkingHours,
)
from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_appointment
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db

PAGES = [
    "setup",
    "setup_dentists",
    "setup_hours",
    "setup_days_off",
    "setup_holidays",
    "setup_chairs",
    "setup_types",
    "setup_settings",
]
CALENDAR = {"setup", "setup_dentists", "setup_hours", "setup_days_off", "setup_holidays"}


def url(name: str, c: Clinic, dentist: User | None = None) -> str:
    if name == "setup_hours":
        return reverse("clinic:setup_hours", kwargs={"dentist_id": (dentist or c.dentist).pk})
    return reverse(f"clinic:{name}")


def expected(name: str, role: str) -> int:
    """The access table: administrators everything, the front desk the calendar, a dentist
    only their own hours (c.dentist's page is opened below, as c.dentist), patients nothing."""
    if role == Role.ADMINISTRATOR:
        return 200
    if role == Role.RECEPTIONIST:
        return 200 if name in CALENDAR else 403
    if role == Role.DENTIST:
        return 200 if name == "setup_hours" else 403
    return 403


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATOR, Role.RECEPTIONIST, Role.DENTIST, Role.PATIENT]
)
def test_who_may_open_each_setup_page(c: Clinic, clinic: Tenant, name: str, role: Role) -> None:
    user = {
        Role.ADMINISTRATOR: c.admin,
        Role.RECEPTIONIST: c.receptionist,
        Role.DENTIST: c.dentist,
        Role.PATIENT: c.patient,
    }[role]
    response = client_for(clinic, user).get(url(name, c))
    assert response.status_code == expected(name, role)
    page = response.content.decode()
    assert "aviso/aviso.css" in page  # the product's page, never a bare one
    if response.status_code == 403:
        assert "You cannot open this page" in page


def test_a_dentist_reads_only_their_own_hours(c: Clinic, clinic: Tenant) -> None:
    client = client_for(clinic, c.dentist)
    own = client.get(url("setup_hours", c)).content.decode()
    assert "Working hours of Dr. Able" in own and 'name="starts"' not in own
    assert client.get(url("setup_hours", c, c.dentist2)).status_code == 404
    refused = client.post(
        url("setup_hours", c), {"weekday": "1", "starts": "07:00", "ends": "08:00"}
    )
    assert refused.status_code == 404
    with tenant_context(clinic):
        assert not WorkingHours.objects.filter(dentist=c.dentist, starts="07:00").exists()


def test_hours_of_someone_who_is_not_a_dentist_are_404(c: Clinic, clinic: Tenant) -> None:
    client = client_for(clinic, c.admin)
    for pk in (c.receptionist.pk, c.patient.pk, 999999):
        assert (
            client.get(reverse("clinic:setup_hours", kwargs={"dentist_id": pk})).status_code == 404
        )


def test_nothing_of_the_other_clinic_is_reachable(
    c: Clinic, other: Clinic, clinic: Tenant, clinic_b: Tenant
) -> None:
    client = client_for(clinic, c.admin)
    assert client.get(url("setup_hours", c, other.dentist)).status_code == 404
    client.post(
        url("setup_holidays", c), {"date": str(local_today() + timedelta(days=5)), "name": "Ours"}
    )
    client.post(url("setup_chairs", c), {"name": "Chair 9"})
    with tenant_context(clinic):
        assert ClinicHoliday.objects.filter(name="Ours").exists()
        assert Chair.objects.filter(name="Chair 9").exists()
    with tenant_context(clinic_b):
        assert not ClinicHoliday.objects.exists()
        assert not Chair.objects.filter(name="Chair 9").exists()


# --- an empty clinic -----------------------------------------------------------------------


def test_an_empty_clinic_guides_instead_of_404(clinic: Tenant) -> None:
    admin = make_user(clinic, Role.ADMINISTRATOR, name="New Admin")
    desk = make_user(clinic, Role.RECEPTIONIST, name="New Desk")
    patient = make_user(clinic, Role.PATIENT, name="Early Patient")
    client = client_for(clinic, admin)
    schedule = client.get("/clinic/schedule/")
    assert schedule.status_code == 200
    assert "no dentists yet" in schedule.content.decode()
    assert reverse("clinic:setup_dentists") in schedule.content.decode()
    assert client_for(clinic, desk).get("/clinic/schedule/").status_code == 200
    dashboard = client.get("/clinic/").content.decode()
    assert "Set up your clinic" in dashboard
    for step in ("dentists", "hours", "chairs", "types", "settings", "first_booking"):
        assert f'data-step="{step}"' in dashboard
    for name in PAGES:
        if name == "setup_hours":
            continue
        assert client.get(reverse(f"clinic:{name}")).status_code == 200, name
    assert "No dentists yet" in client.get(reverse("clinic:setup_dentists")).content.decode()
    assert "No chairs yet" in client.get(reverse("clinic:setup_chairs")).content.decode()
    assert "Add a dentist first" in client.get(reverse("clinic:setup_days_off")).content.decode()
    book = client_for(clinic, patient).get("/clinic/book/")
    assert book.status_code == 200
    assert "has not set up the kinds of appointment" in book.content.decode()


def test_the_checklist_goes_away_once_every_step_is_done(c: Clinic, clinic: Tenant) -> None:
    client = client_for(clinic, c.admin)
    # make_clinic saved the rules, made dentists, hours, chairs and kinds; no booking yet
    overview = client.get(reverse("clinic:setup")).content.decode()
    assert overview.count('class="done"') == 5 and overview.count('class="todo"') == 1
    assert "Set up your clinic" in client.get("/clinic/").content.decode()
    with tenant_context(clinic):
        make_appointment(c)
    assert "Set up your clinic" not in client.get("/clinic/").content.decode()
    assert "Every step is done" in client.get(reverse("clinic:setup")).content.decode()


def test_a_kind_no_dentist_offers_is_explained_on_the_booking_page(
    c: Clinic, clinic: Tenant
) -> None:
    with tenant_context(clinic):
        AppointmentType.objects.exclude(pk=c.checkup.pk).update(is_active=False)
        c.checkup.dentists.set([c.dentist2])
        User.objects.filter(pk=c.dentist2.pk).update(is_active=False)
    page = client_for(clinic, c.patient).get("/clinic/book/").content.decode()
    assert "No dentist offers this kind of appointment yet" in page


# --- the forms -----------------------------------------------------------------------------


def test_the_administrator_sets_hours_with_a_break(c: Clinic, clinic: Tenant) -> None:
    with tenant_context(clinic):
        WorkingHours.objects.filter(dentist=c.dentist).delete()
    client = client_for(clinic, c.admin)
    page = url("setup_hours", c)
    assert (
        client.post(page, {"weekday": "2", "starts": "08:00", "ends": "13:00"}).status_code == 302
    )
    assert (
        client.post(page, {"weekday": "2", "starts": "14:00", "ends": "18:00"}).status_code == 302
    )
    overlap = client.post(page, {"weekday": "2", "starts": "12:00", "ends": "15:00"})
    assert overlap.status_code == 400 and "overlaps" in overlap.content.decode()
    backwards = client.post(page, {"weekday": "2", "starts": "15:00", "ends": "09:00"})
    assert backwards.status_code == 400 and "after the start" in backwards.content.decode()
    with tenant_context(clinic):
        ranges = list(WorkingHours.objects.filter(dentist=c.dentist).values_list("starts", "ends"))
    assert [(s.hour, e.hour) for s, e in ranges] == [(8, 13), (14, 18)]
    shown = client.get(page).content.decode()
    assert ("8:00" in shown and "14:00" in shown) or "2:00" in shown
    with tenant_context(clinic):
        first = WorkingHours.objects.filter(dentist=c.dentist).first()
        assert first is not None
    assert client.post(page, {"remove": str(first.pk)}).status_code == 302
    assert client.post(page, {"remove": str(first.pk)}).status_code == 404
    with tenant_context(clinic):
        assert WorkingHours.objects.filter(dentist=c.dentist).count() == 1


def test_the_front_desk_adds_days_off_and_holidays(c: Clinic, clinic: Tenant) -> None:
    client = client_for(clinic, c.receptionist)
    day = str(local_today() + timedelta(days=4))
    assert (
        client.post(
            url("setup_days_off", c),
            {"dentist": str(c.dentist.pk), "date": day, "reason": "Course"},
        ).status_code
        == 302
    )
    again = client.post(url("setup_days_off", c), {"dentist": str(c.dentist.pk), "date": day})
    assert again.status_code == 400 and "already has this day off" in again.content.decode()
    not_a_dentist = client.post(
        url("setup_days_off", c), {"dentist": str(c.patient.pk), "date": day}
    )
    assert not_a_dentist.status_code == 400
    assert "Course" in client.get(url("setup_days_off", c)).content.decode()
    assert (
        client.post(url("setup_holidays", c), {"date": day, "name": "Clinic day"}).status_code
        == 302
    )
    with tenant_context(clinic):
        assert DayOff.objects.filter(dentist=c.dentist).count() == 1
        holiday = ClinicHoliday.objects.get()
    assert client.post(url("setup_holidays", c), {"remove": str(holiday.pk)}).status_code == 302
    with tenant_context(clinic):
        assert not ClinicHoliday.objects.exists()


def test_the_administrator_adds_chairs_and_kinds_and_saves_the_rules(
    c: Clinic, clinic: Tenant
) -> None:
    client = client_for(clinic, c.admin)
    assert client.post(url("setup_chairs", c), {"name": "Chair 3"}).status_code == 302
    assert client.post(url("setup_chairs", c), {"name": "Chair 3"}).status_code == 400
    bad = client.post(
        url("setup_types", c), {"name": "Whitening", "duration_minutes": "45", "colour": "purple"}
    )
    assert bad.status_code == 400 and "six hex digits" in bad.content.decode()
    good = client.post(
        url("setup_types", c),
        {
            "name": "Whitening",
            "duration_minutes": "45",
            "colour": "#AA00FF",
            "dentists": [str(c.dentist2.pk)],
        },
    )
    assert good.status_code == 302
    with tenant_context(clinic):
        kind = AppointmentType.objects.get(name="Whitening")
        assert kind.colour == "#aa00ff" and list(kind.dentists.all()) == [c.dentist2]
    edited = client.post(
        url("setup_types", c), {"kind": str(kind.pk), "colour": "#00aa00", "is_active": "on"}
    )
    assert edited.status_code == 302
    with tenant_context(clinic):
        kind.refresh_from_db()
        assert kind.colour == "#00aa00" and not kind.dentists.exists()
    rules = {
        "cancellation_cutoff_hours": "12",
        "booking_horizon_days": "30",
        "reminder_lead_hours": "48",
        "slot_step_minutes": "20",
        "allow_patient_sign_up": "on",
    }
    assert client.post(url("setup_settings", c), rules).status_code == 302
    with tenant_context(clinic):
        saved = ClinicSettings.objects.get(pk=1)
    assert (saved.booking_horizon_days, saved.allow_patient_sign_up) == (30, True)
    assert (saved.cancellation_cutoff_hours, saved.slot_step_minutes) == (12, 20)
    too_far = client.post(url("setup_settings", c), {**rules, "booking_horizon_days": "100000"})
    assert too_far.status_code == 400
    shown = client.get(url("setup_settings", c)).content.decode()
    assert 'value="30"' in shown and "checked" in shown


def test_the_receptionist_cannot_post_to_the_administrators_pages(
    c: Clinic, clinic: Tenant
) -> None:
    client = client_for(clinic, c.receptionist)
    assert client.post(url("setup_chairs", c), {"name": "Sneaky"}).status_code == 403
    with tenant_context(clinic):
        assert not Chair.objects.filter(name="Sneaky").exists()
        assert Appointment.objects.count() == 0


def test_the_booking_page_says_when_the_dentist_is_away(c: Clinic, clinic: Tenant) -> None:
    day = local_today() + timedelta(days=3)
    with tenant_context(clinic):
        ClinicHoliday.objects.create(date=day, name="Closed")
    page = client_for(clinic, c.patient).get(f"/clinic/book/?dentist={c.dentist.pk}&date={day}")
    assert "does not see patients on this day" in page.content.decode()
    assert 'name="starts_at"' not in page.content.decode()
