"""Consent: per-workspace compliance settings, keywords, the block list and the consent ledger."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from compliance_center.segments import MAX_BODY_LENGTH
from workspaces.models import AuditLogEntry  # noqa: F401 (moved to workspaces; kept importable)
from workspaces.tenancy import WorkspaceQuerySet

from . import defaults, keywords, scope, signature, wording
from .sending_rules import is_valid_timezone


def validate_timezone(value: str) -> None:
    if not is_valid_timezone(value):
        raise ValidationError(f"{value!r} is not a time zone (e.g. America/New_York).")


class OptOutScope(models.TextChoices):
    INBOX = scope.INBOX, "Inbox opt-out (carrier-preferred)"
    PHONE_NUMBER = scope.PHONE_NUMBER, "Phone number opt-out"


class SignatureMode(models.TextChoices):
    OFF = signature.OFF, "Off"
    EVERY_MESSAGE = signature.EVERY_MESSAGE, "Apply to all sent messages (carrier-preferred)"
    FIRST_IN_CONVERSATION = signature.FIRST_IN_CONVERSATION, "Include once per conversation"


class KeywordKind(models.TextChoices):
    OPT_OUT = keywords.OPT_OUT, "Opt-out"
    OPT_IN = keywords.OPT_IN, "Opt-in"
    HELP = keywords.HELP, "Help"


class ConsentSource(models.TextChoices):
    KEYWORD = wording.KEYWORD, wording.SOURCE_LABELS[wording.KEYWORD]
    AGENT = wording.AGENT, wording.SOURCE_LABELS[wording.AGENT]
    API = wording.API, wording.SOURCE_LABELS[wording.API]
    IMPORT = wording.IMPORT, wording.SOURCE_LABELS[wording.IMPORT]
    CARRIER = wording.CARRIER, wording.SOURCE_LABELS[wording.CARRIER]


class ConsentKind(models.TextChoices):
    OPT_OUT = keywords.OPT_OUT, "Opted out"
    OPT_IN = keywords.OPT_IN, "Opted in"


class ComplianceSettings(models.Model):
    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="compliance_settings"
    )
    opt_out_scope = models.CharField(
        max_length=16, choices=OptOutScope.choices, default=OptOutScope.INBOX
    )
    opt_out_confirmation_enabled = models.BooleanField(default=True)
    opt_out_confirmation_text = models.TextField(
        max_length=MAX_BODY_LENGTH, default=defaults.OPT_OUT_CONFIRMATION
    )
    opt_in_confirmation_text = models.TextField(
        max_length=MAX_BODY_LENGTH, default=defaults.OPT_IN_CONFIRMATION
    )
    help_text = models.TextField(max_length=MAX_BODY_LENGTH, default=defaults.HELP_REPLY)
    signature_mode = models.CharField(
        max_length=32, choices=SignatureMode.choices, default=SignatureMode.OFF
    )
    signature_text = models.CharField(max_length=160, default=defaults.SIGNATURE)
    # Business hours: inbox and API sends are refused inside the quiet window, in this time zone.
    quiet_hours_enabled = models.BooleanField(default=False)
    quiet_hours_start = models.TimeField(default=defaults.QUIET_HOURS_START)
    quiet_hours_end = models.TimeField(default=defaults.QUIET_HOURS_END)
    timezone = models.CharField(
        max_length=64, default=defaults.TIMEZONE, validators=[validate_timezone]
    )
    # Content rules: words or phrases (one per line) that a sent message may not contain.
    blocked_terms = models.TextField(max_length=4000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "compliance settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opt_out_scope__in=OptOutScope.values),
                name="settings_scope_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(signature_mode__in=SignatureMode.values),
                name="settings_signature_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Compliance settings of {self.workspace}"


class Keyword(models.Model):
    """A custom keyword of a workspace; the built-in ones live in `defaults.BUILTIN_KEYWORDS`."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="keywords"
    )
    kind = models.CharField(max_length=16, choices=KeywordKind.choices)
    keyword = models.CharField(max_length=64, help_text="Stored normalised (see optout.keywords).")
    language = models.CharField(max_length=16, blank=True, help_text="e.g. es, fr-CA")
    reply_text = models.TextField(
        max_length=MAX_BODY_LENGTH,
        blank=True,
        help_text="Reply in this keyword's language; blank: default.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "keyword"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "keyword"], name="keyword_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=KeywordKind.values), name="keyword_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.keyword} ({self.kind})"


class ConsentEvent(models.Model):
    """Append-only ledger of every opt-out and opt-in: who, which numbers, when, why."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="consent_events"
    )
    contact = models.ForeignKey(
        "workspaces.Contact", on_delete=models.CASCADE, related_name="consent_events"
    )
    kind = models.CharField(max_length=16, choices=ConsentKind.choices)
    source = models.CharField(max_length=16, choices=ConsentSource.choices)
    scope = models.CharField(max_length=16, choices=OptOutScope.choices)
    phone_number = models.ForeignKey(
        "workspaces.PhoneNumber", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The numbers the event covered, as E.164 strings, frozen at the time of the event.
    numbers = models.JSONField(default=list)
    # The evidence, copied rather than linked: the ledger outlives any message retention.
    message_body = models.TextField(blank=True)
    message_sid = models.CharField(max_length=64, blank=True, default="", db_default="")
    received_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "contact", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.contact} {self.kind} via {self.source}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("consent events are append-only")
        super().save(*args, **kwargs)


class OptOut(models.Model):
    """The block list: a contact's active opt-out, made on one number under one scope.

    Derived from the ledger and written in the same transaction as its ConsentEvent; lifting an
    opt-out deletes the row (the ledger keeps the history).
    """

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="opt_outs"
    )
    contact = models.ForeignKey(
        "workspaces.Contact", on_delete=models.CASCADE, related_name="opt_outs"
    )
    phone_number = models.ForeignKey(
        "workspaces.PhoneNumber", on_delete=models.CASCADE, related_name="opt_outs"
    )
    scope = models.CharField(max_length=16, choices=OptOutScope.choices)
    source = models.CharField(max_length=16, choices=ConsentSource.choices)
    event = models.ForeignKey(ConsentEvent, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "contact", "phone_number"], name="optout_unique_per_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} blocked ({self.scope}) on {self.phone_number}"


class WebhookEndpoint(models.Model):
    """A CRM URL notified of every opt-out and opt-in of the workspace."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One notification to one endpoint: a consent event, or a test an admin asked for (no
    event). Its attempts are counted; "Resend" makes it pending and attempts it again."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        CONSENT = "consent", "Consent event"
        TEST = "test", "Test"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CONSENT)
    event = models.ForeignKey(
        ConsentEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # The HTTP status of the last attempt's answer; None when no answer came (or not tried yet).
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_unique"),
            models.CheckConstraint(
                condition=models.Q(kind="test", event__isnull=True)
                | models.Q(kind="consent", event__isnull=False),
                name="delivery_event_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        what = f"event {self.event_id}" if self.event_id else self.kind
        return f"{what} → {self.endpoint} ({self.status})"
