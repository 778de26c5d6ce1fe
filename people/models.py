"""What the people app keeps of its own: the CSV imports staff run (people.imports)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy


class ImportStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("import status", "Queued")
    RUNNING = "running", pgettext_lazy("import status", "Importing")
    DONE = "done", pgettext_lazy("import status", "Imported")
    FAILED = "failed", pgettext_lazy("import status", "Nothing imported")


class ImportJob(models.Model):
    """One CSV import: who started it, the file as read, and how it ended. The people are
    created all at once or not at all (people.imports.services.people_import_run)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    # The file as decoded text: the worker reads it again (rows are checked again there, since
    # people may have been added between the preview and the import).
    content = models.TextField()
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    row_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    # Rows found with problems when the import ran (then nothing was imported).
    problem_count = models.PositiveIntegerField(default=0)
    # Invitations handed to the mail server after the import committed.
    invited_count = models.PositiveIntegerField(default=0)
    # An unexpected failure as Python wrote it (for operators; the page says it in words).
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
