"""Demo data for the demo clinic: chairs, appointment kinds, the dentists' week and a few
appointments for the demo patients. Idempotent: reruns add nothing twice."""

from datetime import time, timedelta

from accounts.models import User
from accounts.roles import Role
from clinic.clock import local_today
from clinic.models import Appointment, AppointmentType, Chair, ClinicSettings, WorkingHours
from clinic.selectors import free_slots
from clinic.services.appointments import appointment_confirm, appointment_request
from tenants.models import Tenant

CHAIRS = ("Chair 1", "Chair 2", "Chair 3")
TYPES = (("Check-up", 30), ("Cleaning", 45), ("Filling", 60), ("Consultation", 20))
HOURS = ((time(9), time(12, 30)), (time(13, 30), time(17)))


def demo_seed(*, tenant: Tenant) -> None:
    ClinicSettings.objects.get_or_create(pk=1)
    for name in CHAIRS:
        Chair.objects.get_or_create(name=name)
    for name, minutes in TYPES:
        AppointmentType.objects.get_or_create(name=name, defaults={"duration_minutes": minutes})
    dentists = list(User.objects.filter(role=Role.DENTIST).order_by("pk"))
    for dentist in dentists:
        if not WorkingHours.objects.filter(dentist=dentist).exists():
            WorkingHours.objects.bulk_create(
                WorkingHours(dentist=dentist, weekday=day, starts=start, ends=end)
                for day in range(5)
                for start, end in HOURS
            )
    patients = list(User.objects.filter(role=Role.PATIENT).order_by("pk"))
    if not dentists or not patients or Appointment.objects.exists():
        return
    checkup = AppointmentType.objects.get(name="Check-up")
    cleaning = AppointmentType.objects.get(name="Cleaning")
    day = local_today() + timedelta(days=1)
    plans: list[tuple[User, User, AppointmentType, bool]] = [
        (patients[0], dentists[0], checkup, True),
        (patients[-1], dentists[0], cleaning, False),
        (patients[-1], dentists[-1], checkup, True),
    ]
    for patient, dentist, kind, confirm in plans:
        for _ in range(14):
            slots = free_slots(dentist=dentist, appointment_type=kind, day=day)
            if slots:
                break
            day += timedelta(days=1)
        if not slots:
            continue
        starts_at = slots[len(slots) // 3]
        appointment = appointment_request(
            patient=patient, dentist=dentist, appointment_type=kind, starts_at=starts_at
        )
        if confirm:
            appointment_confirm(appointment=appointment, by=dentist)
