"""Clinic test data: a clinic with two dentists working every day 08:00-18:00 (clinic time),
two chairs, a receptionist, an administrator and two patients. Call inside the tenant."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone, translation
from django.utils.formats import time_format
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from clinic.clock import at, local, local_today
from clinic.models import (
    Appointment,
    AppointmentState,
    AppointmentType,
    Chair,
    ClinicSettings,
    WorkingHours,
)
from tenants.models import Tenant
from tests.factories import make_user


@dataclass
class Clinic:
    tenant: Tenant
    dentist: User
    dentist2: User
    receptionist: User
    admin: User
    patient: User
    patient2: User
    chairs: list[Chair]
    checkup: AppointmentType  # 30 minutes
    filling: AppointmentType  # 60 minutes


def make_clinic(tenant: Tenant, *, chairs: int = 2, cutoff_hours: int = 24) -> Clinic:
    ClinicSettings.objects.update_or_create(
        pk=1, defaults={"cancellation_cutoff_hours": cutoff_hours}
    )
    dentist = make_user(tenant, Role.DENTIST, name="Dr. Able")
    dentist2 = make_user(tenant, Role.DENTIST, name="Dr. Baker")
    for d in (dentist, dentist2):
        WorkingHours.objects.bulk_create(
            WorkingHours(dentist=d, weekday=day, starts=time(8), ends=time(18)) for day in range(7)
        )
    return Clinic(
        tenant=tenant,
        dentist=dentist,
        dentist2=dentist2,
        receptionist=make_user(tenant, Role.RECEPTIONIST, name="Front Desk"),
        admin=make_user(tenant, Role.ADMINISTRATOR, name="Admin"),
        patient=make_user(tenant, Role.PATIENT, name="Pat One"),
        patient2=make_user(tenant, Role.PATIENT, name="Pat Two"),
        chairs=[Chair.objects.create(name=f"Chair {i + 1}") for i in range(chairs)],
        checkup=AppointmentType.objects.create(name="Check-up", duration_minutes=30),
        filling=AppointmentType.objects.create(name="Filling", duration_minutes=60),
    )


def slot(days: int = 2, hour: int = 10, minute: int = 0) -> datetime:
    """A moment `days` local days from today at hour:minute clinic time."""
    return at(local_today() + timedelta(days=days), time(hour, minute))


def make_appointment(
    c: Clinic,
    *,
    starts_at: datetime | None = None,
    state: str = AppointmentState.CONFIRMED,
    patient: User | None = None,
    dentist: User | None = None,
    chair: Chair | None = None,
    minutes: int = 30,
    proposed_starts_at: datetime | None = None,
) -> Appointment:
    """Straight into the table (past times too, which the services refuse to book). A
    proposed one gets a proposal two hours later unless told."""
    starts_at = starts_at or slot()
    if state == AppointmentState.PROPOSED and proposed_starts_at is None:
        proposed_starts_at = starts_at + timedelta(hours=2)
    return Appointment.objects.create(
        proposed_starts_at=proposed_starts_at,
        proposed_ends_at=proposed_starts_at + timedelta(minutes=minutes)
        if proposed_starts_at
        else None,
        patient=patient or c.patient,
        dentist=dentist or c.dentist,
        chair=chair or c.chairs[0],
        type=c.checkup,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        state=state,
    )


def hours_from_now(hours: float) -> datetime:
    return timezone.now() + timedelta(hours=hours)


def shown_time(moment: datetime) -> str:
    """A time as the pages write it: the active language's TIME_FORMAT, in the clinic's zone."""
    return time_format(local(moment), "TIME_FORMAT")


# User.language arrives with the i18n core branch (issue #11); until it is merged a test
# makes the language active in its own thread, where the test client runs the view.
USER_HAS_LANGUAGE = any(f.name == "language" for f in User._meta.get_fields())


@contextmanager
def reading(tenant: Tenant, user: User, language: str) -> Iterator[None]:
    """`user` reads `language`: their own setting (User.language) where it exists, and the
    language active while the block runs (pages fetched with the test client, notifications
    rendered here)."""
    if USER_HAS_LANGUAGE:
        with tenant_context(tenant):
            User.objects.filter(pk=user.pk).update(**{"language": language})
    with translation.override(language):
        yield
