"""Conversations, messages both ways, and the raw inbound webhook rows."""

from django.conf import settings
from django.db import models

from workspaces.tenancy import WorkspaceQuerySet


class Conversation(models.Model):
    """One thread per workspace phone number × contact."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="conversations"
    )
    phone_number = models.ForeignKey(
        "workspaces.PhoneNumber", on_delete=models.CASCADE, related_name="conversations"
    )
    contact = models.ForeignKey(
        "workspaces.Contact", on_delete=models.CASCADE, related_name="conversations"
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    unread_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["phone_number", "contact"], name="conversation_unique"),
        ]
        indexes = [models.Index(fields=["workspace", "-last_message_at"])]

    def __str__(self) -> str:
        return f"{self.contact} ↔ {self.phone_number.number}"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class MessageStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Held for the recipient's window"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    UNDELIVERED = "undelivered", "Undelivered"
    FAILED = "failed", "Failed"
    RECEIVED = "received", "Received"


class MessageSource(models.TextChoices):
    INBOX = "inbox", "Inbox"
    API = "api", "API"
    SYSTEM = "system", "Automatic reply"
    CONTACT = "contact", "Contact"
    BROADCAST = "broadcast", "Broadcast"


class Message(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="messages"
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    source = models.CharField(max_length=16, choices=MessageSource.choices)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    provider_sid = models.CharField(max_length=64, null=True, blank=True, unique=True)
    error_code = models.CharField(max_length=32, blank=True)
    error_message = models.TextField(blank=True)
    segments = models.PositiveIntegerField(default=1)
    encoding = models.CharField(max_length=8, default="GSM-7")
    signature_applied = models.BooleanField(default=False)
    # A system reply (confirmation, HELP answer) names the inbound message it answers: the unique
    # constraint makes "one reply per event" hold even when the task runs twice.
    reply_to = models.ForeignKey(
        "messaging.InboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0)
    # The send policy's warnings (spam triggers, an unregistered number…), kept with the text.
    warnings = models.JSONField(default=list, blank=True)
    # A send held for the recipient's window goes out at this time (status `scheduled`).
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reply_to"],
                condition=models.Q(reply_to__isnull=False),
                name="one_system_reply_per_inbound",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            models.Index(
                fields=["status", "updated_at"],
                condition=models.Q(status="queued"),
                name="message_queued_idx",
            ),
            models.Index(
                fields=["scheduled_for"],
                condition=models.Q(status="scheduled"),
                name="message_scheduled_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.status}: {self.body[:40]}"

    @property
    def is_automatic(self) -> bool:
        return self.source == MessageSource.SYSTEM


class InboundMessage(models.Model):
    """A carrier webhook as received: stored before anything else so that no STOP is lost."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="inbound_messages"
    )
    phone_number = models.ForeignKey(
        "workspaces.PhoneNumber", on_delete=models.CASCADE, related_name="inbound_messages"
    )
    message_sid = models.CharField(max_length=64, unique=True)
    # E.164 (also for a "whatsapp:+1…" address), or the sender as the carrier gave it (a short
    # code, an alphanumeric id): see services.inbound.sender_address.
    from_number = models.CharField(max_length=64)
    body = models.TextField(blank=True)
    params = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Every attempt to process the row is counted; one that keeps failing becomes a dead letter
    # (`dead_at`, with its error), shown to people, and the sweeper leaves it alone.
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the sweeper last queued it again: the next sweep waits, so that sweeps piling up while
    # the worker is busy or away do not queue (and fail) the same row many times at once.
    swept_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=models.Q(processed_at__isnull=True),
                name="inbound_unprocessed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_sid} from {self.from_number}"


# Broadcasts keep their models in their own package; imported here so that Django finds them.
from .broadcasts.models import Broadcast, BroadcastRecipient  # noqa: E402, F401
