"""A dental clinic's schedule: dentists' weekly hours, chairs, appointment types and the
appointments themselves. Double booking is refused by PostgreSQL itself (exclusion
constraints), so no race between two requests can slip past a Python check."""

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    DateTimeRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.states import HOLDING_STATES, AppointmentState


class ClinicSettings(models.Model):
    """The clinic's rules; one row per tenant schema (pk is always 1)."""

    cancellation_cutoff_hours = models.PositiveIntegerField(
        default=24, help_text=_("Patients may cancel up to this many hours before the start.")
    )
    reminder_lead_hours = models.PositiveIntegerField(default=24)
    slot_step_minutes = models.PositiveIntegerField(default=15)
    # How far ahead patients may book; staff may book any date.
    booking_horizon_days = models.PositiveIntegerField(
        default=90, help_text=_("Patients may book up to this many days ahead.")
    )
    # Off by default: a clinic decides to let strangers create patient accounts.
    allow_patient_sign_up = models.BooleanField(
        default=False, help_text=_("Anyone may create a patient account on the sign-up page.")
    )

    class Meta:
        verbose_name_plural = _("clinic settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="clinic_settings_singleton"),
            models.CheckConstraint(
                condition=Q(slot_step_minutes__gte=5), name="clinic_settings_step_min"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Clinic settings"))


class Weekday(models.IntegerChoices):
    # Also the day headings of the schedule and booking pages (date.weekday() numbering).
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """One interval of a dentist's week, in the clinic's local time (several per day allowed)."""

    dentist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["dentist", "weekday", "starts"]
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__lt=F("ends")), name="hours_start_before_end"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class Chair(models.Model):
    """An operatory: a dentist and a patient need one for the whole appointment."""

    name = models.CharField(max_length=60, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DayOff(models.Model):
    """A day one dentist does not work (holiday, course, sick day): no slots that local day."""

    dentist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="days_off"
    )
    date = models.DateField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date", "dentist"]
        constraints = [
            models.UniqueConstraint(fields=["dentist", "date"], name="day_off_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.dentist_id} off {self.date:%Y-%m-%d}"


class ClinicHoliday(models.Model):
    """A local day the whole clinic is closed: nobody has slots."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


# A colour as the pages' <input type="color"> sends it: "#" and six hex digits.
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
DEFAULT_COLOUR = "#2f6fdf"


class AppointmentType(models.Model):
    name = models.CharField(max_length=80, unique=True)
    duration_minutes = models.PositiveIntegerField()
    is_active = models.BooleanField(default=True)
    colour = models.CharField(max_length=7, default=DEFAULT_COLOUR)
    # The dentists who offer this kind; none chosen means every dentist offers it (a new
    # dentist then offers the clinic's usual kinds without anyone editing each one).
    dentists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="offered_types"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=8 * 60),
                name="appointment_type_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(colour__regex=COLOUR_PATTERN), name="appointment_type_colour_hex"
            ),
        ]

    def __str__(self) -> str:
        # What the booking page lists: "Check-up (30 min)".
        return gettext("%(name)s (%(minutes)s min)") % {
            "name": self.name,
            "minutes": self.duration_minutes,
        }


# The appointment state machine (states, transitions, who may act) lives in clinic.states;
# the exclusion constraints below refuse overlaps among its HOLDING_STATES.
DENTIST_OVERLAP = "appointment_dentist_no_overlap"
CHAIR_OVERLAP = "appointment_chair_no_overlap"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Appointment(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient_appointments"
    )
    dentist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dentist_appointments"
    )
    chair = models.ForeignKey(Chair, on_delete=models.PROTECT, related_name="appointments")
    type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    state = models.CharField(
        max_length=16, choices=AppointmentState.choices, default=AppointmentState.REQUESTED
    )
    # A reschedule ends this row (state `rescheduled`) and books a new one that points back.
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_to"
    )
    note = models.CharField(max_length=500, blank=True)
    # The time the clinic proposed (state `proposed`); the slot is not held until the patient
    # accepts, so it may be gone by then. Kept after the answer as a record.
    proposed_starts_at = models.DateTimeField(null=True, blank=True)
    proposed_ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager["Appointment"]] = models.Manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["dentist", "starts_at"], name="appointment_dentist_start"),
            models.Index(fields=["patient", "starts_at"], name="appointment_patient_start"),
            models.Index(fields=["state", "starts_at"], name="appointment_state_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="appointment_start_before_end"
            ),
            ExclusionConstraint(
                name=DENTIST_OVERLAP,
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("dentist", RangeOperators.EQUAL),
                ],
                condition=Q(state__in=HOLDING_STATES),
            ),
            ExclusionConstraint(
                name=CHAIR_OVERLAP,
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("chair", RangeOperators.EQUAL),
                ],
                condition=Q(state__in=HOLDING_STATES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type.name} {self.starts_at:%Y-%m-%d %H:%M} ({self.state})"

    @property
    def holds_slot(self) -> bool:
        return self.state in HOLDING_STATES


class AppointmentReminder(models.Model):
    """Proof a reminder went out: the unique appointment makes sending exactly-once even when
    the beat job runs twice or two workers overlap."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="reminder"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"reminder for {self.appointment_id}"


class AppointmentMessage(models.Model):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["appointment", "created_at", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} on {self.appointment_id}"


class ThreadRead(models.Model):
    """How far one staff member has read an appointment's thread: the newest message they have
    seen (messages' ids only grow, so "unread" is every later message someone else wrote). One
    row per reader, so a receptionist reading a thread leaves a colleague's count as it was."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reads")
    last_read_id = models.PositiveBigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "appointment"], name="thread_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.appointment_id} to {self.last_read_id}"


class CalendarFeed(models.Model):
    """A person's private calendar feed (clinic.views_calendar): the URL's token authorises
    whoever holds it, so only a digest of it is stored, to find the feed by. The token is
    an HMAC of `key` with the site's secret (clinic.services.calendar), so the person's page
    can show the URL again; resetting draws a new key and the old URL finds nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64)
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"


# --- the waitlist (#14) ----------------------------------------------------------------------
# A patient waits for a dentist and a kind of appointment on chosen weekdays and parts of the
# day; when a matching time frees, every matching patient gets an offer for it and the first
# to accept books it (clinic.services.waitlist). The rules are in clinic.selectors_waitlist.


class WaitlistPeriod(models.TextChoices):
    """Parts of the day a patient can come, by the appointment's local start time (the
    boundaries: clinic.selectors_waitlist.PERIOD_HOURS)."""

    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


class WaitlistEntry(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        BOOKED = "booked", _("Booked")
        LEFT = "left", _("Left the waitlist")

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    dentist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    type = models.ForeignKey(AppointmentType, on_delete=models.CASCADE, related_name="+")
    # date.weekday() numbers (Weekday) and WaitlistPeriod values, in the clinic's time zone.
    weekdays = ArrayField(models.PositiveSmallIntegerField(choices=Weekday.choices))
    periods = ArrayField(models.CharField(max_length=12, choices=WaitlistPeriod.choices))
    until = models.DateField(help_text=_("The last local day the patient waits for."))
    state = models.CharField(max_length=12, choices=State.choices, default=State.WAITING)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager["WaitlistEntry"]] = models.Manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = _("waitlist entries")
        constraints = [
            # Joining twice for the same dentist and kind is refused by the database too.
            models.UniqueConstraint(
                fields=["patient", "dentist", "type"],
                condition=Q(state="waiting"),
                name="waitlist_entry_once",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__len__gte=1, periods__len__gte=1),
                name="waitlist_entry_some_time",
            ),
        ]

    def __str__(self) -> str:
        return f"waitlist {self.patient_id} for {self.dentist_id}/{self.type_id} ({self.state})"


class WaitlistSlot(models.Model):
    """A time freed in a dentist's day and offered to the waitlist. Accepting an offer locks
    this row first, and at most one offer per slot can be accepted (a unique constraint), so
    PostgreSQL decides who was first; the appointment's exclusion constraints stand behind."""

    dentist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField()
    freed_by = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_by = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager["WaitlistSlot"]] = models.Manager()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"freed slot {self.dentist_id} {self.starts_at:%Y-%m-%d %H:%M}"


class WaitlistOffer(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        TAKEN = "taken", _("Taken by another patient")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    slot = models.ForeignKey(WaitlistSlot, on_delete=models.CASCADE, related_name="offers")
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    # The entry's patient, kept on the offer for the access check (one indexed filter).
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The appointment this offer would book (its length is the entry's kind's).
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager["WaitlistOffer"]] = models.Manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["patient", "state"], name="waitlist_offer_patient")]
        constraints = [
            models.UniqueConstraint(fields=["slot", "entry"], name="waitlist_offer_once"),
            # The first to accept wins: a second accepted offer of one slot cannot be stored.
            models.UniqueConstraint(
                fields=["slot"], condition=Q(state="accepted"), name="waitlist_slot_one_winner"
            ),
        ]

    def __str__(self) -> str:
        return f"offer {self.pk} of slot {self.slot_id} ({self.state})"

    @property
    def shown_state(self) -> str:
        """The state a page shows: an open offer past its time reads as expired."""
        if self.state == self.State.OPEN and self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.state

    def get_shown_state_display(self) -> str:
        return str(self.State(self.shown_state).label)
