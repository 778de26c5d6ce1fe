"""A school tenant's records: terms, courses and grades; fees, invoices and payments.

Rows live in the tenant's schema. Students and administrators are accounts.User rows of the
same schema, told apart by `role`."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from school import states

# The statuses are declared with their transitions in school/states.py (re-exported here for
# the field's choices and for code that reads them next to the model).
from school.states import InvoiceStatus as InvoiceStatus


class SchoolYear(models.Model):
    """A school year ("2026-2027"): its terms lie inside its dates and do not overlap."""

    name = models.CharField(max_length=80, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="school_year_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    # Null only for terms made before school years existed (and by low-level test helpers);
    # the structure services always set it.
    year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, null=True, blank=True, related_name="terms"
    )
    name = models.CharField(max_length=80, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    # Grades of this term may be entered, published and corrected only inside this window.
    entry_opens_on = models.DateField()
    entry_closes_on = models.DateField()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="term_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(entry_closes_on__gte=F("entry_opens_on")),
                name="term_entry_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClassGroup(models.Model):
    """A group of students who share a timetable ("1° A"): a student belongs to at most one."""

    name = models.CharField(max_length=40, unique=True)
    # The grade or year the group is in ("3°"); groups are listed by it.
    level = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class StudentRecord(models.Model):
    """What the school knows of a student beyond the account: enrolment number and group."""

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_record"
    )
    enrolment_number = models.CharField(max_length=32, unique=True)
    group = models.ForeignKey(
        ClassGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="students"
    )

    class Meta:
        ordering = ["enrolment_number"]

    def __str__(self) -> str:
        return self.enrolment_number


class Guardianship(models.Model):
    """A guardian's link to one of their children: they see that student's grades, reports,
    invoices and receipts and receive the notifications about them."""

    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wards"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardianships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianship_once"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id} guards {self.student_id}"


class Course(models.Model):
    """One subject taught to a group of students during one term."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="courses")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="courses")
    # The group taught; null only for courses made before groups existed.
    group = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="courses"
    )
    name = models.CharField(max_length=80)
    # The teachers who see and grade this course (and only those of theirs).
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="courses_taught"
    )

    class Meta:
        ordering = ["term", "name"]
        constraints = [
            models.UniqueConstraint(fields=["term", "name"], name="course_name_per_term"),
            models.UniqueConstraint(
                fields=["term", "subject", "group"], name="course_subject_group_per_term"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "student"], name="enrolment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} in {self.course_id}"


class Assessment(models.Model):
    """A graded piece of work of a course (a column of the gradebook)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assessments")
    title = models.CharField(max_length=80)
    max_score = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("100"))
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "title"], name="assessment_title_per_course"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="assessment_max_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="assessment_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class GradeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("grade status", "Draft")
    PUBLISHED = "published", pgettext_lazy("grade status", "Published")


class Grade(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="grades")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grades"
    )
    score = models.DecimalField(max_digits=6, decimal_places=2)
    status = models.CharField(max_length=16, choices=GradeStatus.choices, default=GradeStatus.DRAFT)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # A correction of a published grade waits here, unseen by the student (who keeps seeing
    # `score`), until it is published: then it becomes `score` and `grade.updated` goes out.
    pending_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["assessment", "student"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "student"], name="grade_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="grade_not_negative"),
        ]
        indexes = [models.Index(fields=["student", "status"], name="grade_student_status")]

    def __str__(self) -> str:
        return f"{self.score} for {self.student_id} on {self.assessment_id}"

    @property
    def is_published(self) -> bool:
        return self.status == GradeStatus.PUBLISHED

    @property
    def has_pending_correction(self) -> bool:
        return self.pending_score is not None

    @property
    def working_score(self) -> Decimal:
        """The score as the gradebook shows it: a pending correction, else the score."""
        return self.score if self.pending_score is None else self.pending_score


class GradeScale(models.TextChoices):
    TEN = "ten", _("0-10 (passing mark 6)")
    HUNDRED = "hundred", _("0-100 (passing mark 60)")
    LETTERS = "letters", _("Letters (A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, F)")


class GradingSettings(models.Model):
    """How the school writes grades (school.grading.display); one row per tenant schema (pk is
    always 1). Scores are stored as they were entered; only their display follows this."""

    scale = models.CharField(max_length=16, choices=GradeScale.choices, default=GradeScale.HUNDRED)
    decimals = models.PositiveSmallIntegerField(default=2)

    class Meta:
        verbose_name_plural = _("grading settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="grading_settings_singleton"),
            models.CheckConstraint(condition=Q(decimals__lte=2), name="grading_settings_decimals"),
        ]

    def __str__(self) -> str:
        return str(_("Grading settings"))


class FeeItem(models.Model):
    """The fee catalogue: what the school charges for, at a default amount."""

    name = models.CharField(max_length=120, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="fee_positive")]

    def __str__(self) -> str:
        return self.name


class Invoice(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices"
    )
    fee = models.ForeignKey(
        FeeItem, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3)
    issued_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Why the administrator cancelled it (required to cancel; the family is told), when, by whom.
    cancel_reason = models.CharField(max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The billing run that issued it (none for an invoice issued by hand).
    billing_run = models.ForeignKey(
        "BillingRun", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_positive"),
            # A run bills each student once, however often its task runs or races itself...
            models.UniqueConstraint(fields=["billing_run", "student"], name="invoice_once_per_run"),
            # ...and two runs that overlap (a level and one of its groups) never bill a student
            # the same fee for the same due date twice (a cancelled invoice no longer counts).
            models.UniqueConstraint(
                fields=["student", "fee", "due_on"],
                condition=Q(billing_run__isnull=False) & ~Q(status="cancelled"),
                name="invoice_run_fee_due_once",
            ),
            # The database itself refuses overpayment, whatever the code does.
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("amount")),
                name="invoice_paid_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="invoice_status_due")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"INV-{self.pk:06d}"

    @property
    def balance(self) -> Decimal:
        return self.amount - self.amount_paid

    @property
    def is_open(self) -> bool:
        return states.is_open(self.status)

    @property
    def can_cancel(self) -> bool:
        return states.can_cancel(status=self.status, amount_paid=self.amount_paid)


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    OTHER = "other", pgettext_lazy("payment method", "Other")


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    # What identifies the money: a transfer's tracking key, a cheque's number, a card voucher.
    reference = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def receipt_number(self) -> str:
        return f"R-{self.pk:06d}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", pgettext_lazy("reminder", "Overdue")


class InvoiceReminder(models.Model):
    """What the daily job already sent: the unique constraint makes re-runs send nothing twice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "kind"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.invoice_id}"


class AnnouncementScope(models.TextChoices):
    """What an announcement is addressed to (school.selectors_announcements resolves it)."""

    SCHOOL = "school", _("The whole school")
    LEVEL = "level", _("A level")
    GROUP = "group", _("A group")
    COURSE = "course", _("A course")


class AnnouncementReach(models.TextChoices):
    """Who of that audience receives it: its people, their guardians, or both."""

    EVERYONE = "everyone", _("Students and their guardians")
    MEMBERS = "members", _("Students only")
    GUARDIANS = "guardians", _("Guardians only")


class Announcement(models.Model):
    """A message an administrator or a teacher sent to many people at once. Who received it
    is recorded in AnnouncementRecipient; `read_count` counts those who have read it (one
    update per read), so the author's page shows "312 of 340 read" without counting rows."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="announcements"
    )
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=5000)
    scope = models.CharField(max_length=16, choices=AnnouncementScope.choices)
    reach = models.CharField(max_length=16, choices=AnnouncementReach.choices)
    # The object addressed (one of them, by scope); kept as a name too, as it was when sent, so
    # renaming or removing a group later does not change what the announcement says it was to.
    level = models.CharField(max_length=20, blank=True)
    group = models.ForeignKey(
        ClassGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    audience_name = models.CharField(max_length=200, blank=True)
    recipient_count = models.PositiveIntegerField()
    read_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(read_count__lte=F("recipient_count")),
                name="announcement_reads_within_recipients",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementRecipient(models.Model):
    """One person an announcement went to, with the notification it reached them by and when
    they read it (opened the announcement or marked the notification read)."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="announcements_received"
    )
    notification = models.ForeignKey(
        "realtime.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="announcement_recipient_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id} to {self.user_id}"


class BillingRunStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("billing run status", "Queued")
    RUNNING = "running", pgettext_lazy("billing run status", "Issuing")
    DONE = "done", pgettext_lazy("billing run status", "Done")
    FAILED = "failed", pgettext_lazy("billing run status", "Stopped")


class BillingRun(models.Model):
    """One fee billed to a whole level or group with one due date (the month's tuition), run by
    a worker (school.services.billing_runs). Its key (fee, audience, due date) is unique, so
    the same run cannot be started twice, even by two administrators at the same moment."""

    fee = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="billing_runs")
    # The audience: one group, or every group of a level (then group is empty).
    group = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="billing_runs"
    )
    level = models.CharField(max_length=20, blank=True)
    due_on = models.DateField()
    # What each invoice says and costs, fixed when the run is started (a fee edited while the
    # run is going does not change the invoices half-way).
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(
        max_length=16, choices=BillingRunStatus.choices, default=BillingRunStatus.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Students in the audience when the worker ran, and what became of them.
    student_count = models.PositiveIntegerField(default=0)
    issued_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    # An unexpected failure as Python wrote it (for operators; the page says it in words).
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        constraints = [
            models.CheckConstraint(
                condition=(Q(group__isnull=False) & Q(level=""))
                | (Q(group__isnull=True) & ~Q(level="")),
                name="billing_run_one_audience",
            ),
            models.UniqueConstraint(
                fields=["fee", "group", "due_on"],
                condition=Q(group__isnull=False),
                name="billing_run_once_per_group",
            ),
            models.UniqueConstraint(
                fields=["fee", "level", "due_on"],
                condition=Q(group__isnull=True),
                name="billing_run_once_per_level",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_run_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.description} → {self.audience} ({self.due_on})"

    @property
    def audience(self) -> str:
        if self.group_id is not None:
            return str(self.group)
        return str(_("Level %(level)s") % {"level": self.level})

    @property
    def audience_key(self) -> str:
        """The audience as the "New billing run" form names it."""
        return f"group:{self.group_id}" if self.group_id is not None else f"level:{self.level}"

    @property
    def is_finished(self) -> bool:
        return self.status in (BillingRunStatus.DONE, BillingRunStatus.FAILED)


class SkipReason(models.TextChoices):
    ALREADY_INVOICED = "already_invoiced", _("Already invoiced for this fee and due date")
    NO_GUARDIAN = "no_guardian", _("No guardian linked to pay it")


class BillingRunSkip(models.Model):
    """A student of a run's audience the run did not bill, and why (shown on the run's page)."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="skips")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=32, choices=SkipReason.choices)

    class Meta:
        ordering = ["run", "student"]
        verbose_name = _("student skipped by a billing run")
        verbose_name_plural = _("students skipped by billing runs")
        constraints = [
            models.UniqueConstraint(fields=["run", "student"], name="billing_run_skip_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} skipped by {self.run_id}: {self.reason}"
