"""An import: the uploaded file (stored, then read in chunks by a task), its progress, the rows
it refused with their line and reason, and the numbers it has seen (duplicates in the file)."""

from django.conf import settings
from django.db import models

from workspaces.tenancy import WorkspaceQuerySet


class ImportStatus(models.TextChoices):
    DRAFT = "draft", "Waiting for its column mapping"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportKind(models.TextChoices):
    CONTACTS = "contacts", "Contacts"
    BLOCK_LIST = "block_list", "Block list"


class Import(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="imports"
    )
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    status = models.CharField(max_length=16, choices=ImportStatus.choices)
    filename = models.CharField(max_length=255, blank=True)
    path = models.CharField(max_length=500)  # under IMPORT_DIR
    size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=16, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    # Block list: the workspace number the opt-outs are made on, when the file names none.
    phone_number = models.ForeignKey(
        "workspaces.PhoneNumber", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)  # contacts or opt-outs made
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    consent_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    next_line = models.PositiveIntegerField(default=2)  # resume: the first line not done
    failure = models.TextField(blank=True)  # why the whole file was refused
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stepped_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk} ({self.status})"


class ImportRowError(models.Model):
    """A row the import refused: its line (the header is line 1) and why."""

    job = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["line"]
        constraints = [
            models.UniqueConstraint(fields=["job", "line"], name="import_error_unique_line"),
        ]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportSeen(models.Model):
    """A number an import has read, and on which line: a later row with it is a duplicate in the
    file. Kept in the database, not in memory, so that memory stays flat however long the file;
    removed when the import ends."""

    job = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=64)
    line = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "phone"], name="import_seen_unique_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} at line {self.line}"
