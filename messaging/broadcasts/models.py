"""A broadcast and its recipients: one row per contact, unique per broadcast, so that a contact
gets a broadcast at most once however often a task runs."""

from django.conf import settings
from django.db import models

from compliance_center.segments import MAX_BODY_LENGTH
from workspaces.tenancy import WorkspaceQuerySet


class BroadcastStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    PAUSED = "paused", "Paused"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE = (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING, BroadcastStatus.PAUSED)


class Broadcast(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="broadcasts"
    )
    name = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=MAX_BODY_LENGTH)  # with merge fields (broadcasts/merge.py)
    # The sender numbers (ids of the workspace's PhoneNumbers): one, or a pool that recipients
    # are spread over (a contact always gets the same number of the pool).
    senders = models.JSONField(default=list)
    # {"numbers": [...]} | {"tag": "..."} | {"all": true}
    audience = models.JSONField(default=dict)
    send_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=BroadcastStatus.choices, default=BroadcastStatus.SCHEDULED
    )
    # Recipients are resolved in chunks of contact ids; the last id done (resumable), and when
    # every chunk was done.
    resolved_through = models.BigIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Each dispatch step writes it: a sending broadcast whose step is older than the sweep delay
    # lost its task and is queued again.
    stepped_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["status", "stepped_at"],
                condition=models.Q(status__in=["scheduled", "sending"]),
                name="broadcast_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"Broadcast {self.pk}"


class RecipientStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DEFERRED = "deferred", "Deferred to their window"
    EXCLUDED_OPTED_OUT = "excluded_opted_out", "Excluded: opted out"
    EXCLUDED_NO_CONSENT = "excluded_no_consent", "Excluded: no consent"
    EXCLUDED_INVALID = "excluded_invalid", "Excluded: invalid number"
    CANCELLED = "cancelled", "Not sent: cancelled"


EXCLUDED = (
    RecipientStatus.EXCLUDED_OPTED_OUT,
    RecipientStatus.EXCLUDED_NO_CONSENT,
    RecipientStatus.EXCLUDED_INVALID,
)


class BroadcastRecipient(models.Model):
    """One recipient of a broadcast, written set-based (messaging/broadcasts/audience.py).

    Narrow on purpose: a million are written per million-contact broadcast. Its one unique index
    is (broadcast, contact) (a number of a list audience that is not a phone number has no
    contact: (broadcast, phone) for those); the contact, the sender and the message are plain
    columns without a database constraint or index of their own, so each row costs the table and
    two indexes, not five plus three foreign-key checks (0015). Django still deletes a contact's
    recipients with the contact."""

    # Indexed by recipient_status_idx (broadcast first): no index of its own.
    broadcast = models.ForeignKey(
        Broadcast, on_delete=models.CASCADE, related_name="recipients", db_index=False
    )
    contact = models.ForeignKey(
        "workspaces.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    phone = models.CharField(max_length=64)  # the contact's, copied; the raw entry if invalid
    phone_number = models.ForeignKey(
        "workspaces.PhoneNumber",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    status = models.CharField(max_length=24, choices=RecipientStatus.choices)
    message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    error_code = models.CharField(max_length=32, blank=True)
    detail = models.TextField(blank=True)
    not_before = models.DateTimeField(null=True, blank=True)  # a deferred recipient's window
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["broadcast", "contact"],
                condition=models.Q(contact__isnull=False),
                name="recipient_unique_contact",
            ),
            models.UniqueConstraint(
                fields=["broadcast", "phone"],
                condition=models.Q(contact__isnull=True),
                name="recipient_unique_listed_phone",
            ),
        ]
        indexes = [
            models.Index(fields=["broadcast", "status", "id"], name="recipient_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} ({self.status})"
