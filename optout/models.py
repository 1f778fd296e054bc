"""Consent: per-workspace compliance settings, keywords, the block list and the consent ledger."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from compliance_center.segments import MAX_BODY_LENGTH
from workspaces.models import AuditLogEntry  # noqa: F401 (moved to workspaces; kept importable)
from workspaces.tenancy import WorkspaceQuerySet

from . import defaults, keywords, replies, scope, signature, wording
from .sending_rules import is_valid_timezone


def default_language_packs() -> list[str]:
    return list(defaults.OPTIONAL_PACKS)


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
    # Revoked in the contact's own words ("please stop texting me"), not by a keyword.
    REVOCATION = wording.REVOCATION, wording.SOURCE_LABELS[wording.REVOCATION]


class ConsentKind(models.TextChoices):
    OPT_OUT = keywords.OPT_OUT, "Opted out"
    OPT_IN = keywords.OPT_IN, "Opted in"
    OPT_IN_REQUESTED = "opt_in_requested", "Double opt-in requested"
    OPT_IN_EXPIRED = "opt_in_expired", "Double opt-in expired"
    # A person decided that a text which might have been a revocation was not one.
    NOT_A_REVOCATION = "not_a_revocation", "Not a revocation (reviewed)"


class ConsentStatus(models.TextChoices):
    """A contact's consent to be texted from a number (optout.selectors.consent_status)."""

    OPTED_IN = "opted_in", "Opted in"
    PENDING = "pending", "Double opt-in pending"
    OPTED_OUT = "opted_out", "Opted out"
    UNKNOWN = "unknown", "No consent on record"


class OptInSource(models.TextChoices):
    """Where express consent was given (the contact's own text is `keyword`)."""

    WEB_FORM = "web_form", "Web form"
    PAPER_FORM = "paper_form", "Paper form"
    VERBAL = "verbal", "Verbal (recorded by staff)"
    API = "api", "API"
    IMPORT = "import", "Import"
    KEYWORD = "keyword", "The contact's own text"


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
    # Keyword packs beyond English that this workspace answers (defaults.OPTIONAL_PACKS);
    # a country that requires a pack (Canada: French) gets it whatever this says.
    language_packs = models.JSONField(default=default_language_packs, blank=True)
    # Consent before contact: refuse a first text to a contact with no consent on record who
    # never texted in; double opt-in asks consent recorded elsewhere to be confirmed by YES.
    consent_required = models.BooleanField(default=False)
    double_opt_in_enabled = models.BooleanField(default=False)
    double_opt_in_text = models.TextField(
        max_length=MAX_BODY_LENGTH, default=defaults.DOUBLE_OPT_IN_REQUEST
    )
    welcome_text = models.TextField(max_length=MAX_BODY_LENGTH, default=defaults.WELCOME)
    double_opt_in_expiry_days = models.PositiveSmallIntegerField(default=7)
    # The recipient's sending window: quiet hours apply in the contact's own time (their
    # time_zone, else their number's zones; `timezone` above is only the fallback), plus the
    # stricter windows of states that set one (optout/data/state_rules.json).
    state_rules_enabled = models.BooleanField(default=False)
    # A contact who texted within this many hours is answered at any hour.
    reply_window_hours = models.PositiveSmallIntegerField(default=24)
    # SHAFT-C: the action per category (optout/content.py): block (the default), warn, allow.
    content_rules = models.JSONField(default=dict, blank=True)
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
    language = models.CharField(  # the keyword's or the text's
        max_length=16, blank=True, default="", db_default=""
    )
    # A contact already opted out who opted out again: kept in the ledger, not counted anew.
    repeat = models.BooleanField(default=False, db_default=False)
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
    # When we last sent this contact an opt-out confirmation from this number: a repeated STOP
    # is confirmed at most once a day per number.
    last_confirmed_at = models.DateTimeField(null=True, blank=True)

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


class ReplyOverride(models.Model):
    """A workspace's own text for one kind of reply, for contacts of a language and/or country
    (see optout.replies: the most specific wins)."""

    class Kind(models.TextChoices):
        OPT_OUT = replies.OPT_OUT, "Opt-out confirmation"
        OPT_IN = replies.OPT_IN, "Opt-in confirmation"
        HELP = replies.HELP, "HELP reply"
        WELCOME = replies.WELCOME, "Welcome text"
        DOUBLE_OPT_IN = replies.DOUBLE_OPT_IN, "Double opt-in request"

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="reply_overrides"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    language = models.CharField(max_length=16, blank=True, help_text="ISO 639-1, e.g. fr")
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2, e.g. CA")
    text = models.TextField(max_length=MAX_BODY_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "country", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "language", "country"], name="override_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(language="", country=""), name="override_names_a_target"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=replies.KINDS),
                name="override_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        target = "/".join(p for p in (self.country, self.language) if p)
        return f"{self.get_kind_display()} for {target}"


class RuleOutcome(models.Model):
    """A send a rule refused, held or warned about: the figures behind the Overview's four
    rules (no message content, only which rule and what it did)."""

    class Outcome(models.TextChoices):
        REFUSED = "refused", "Refused"
        HELD = "held", "Held until the window opens"
        WARNED = "warned", "Sent with a warning"

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="rule_outcomes"
    )
    rule = models.CharField(max_length=32)  # the ErrorCode or warning code
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["workspace", "created_at"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.outcome}"


class OptIn(models.Model):
    """Express consent on record: a contact agreed to be texted from a number (or from every
    number, when recorded under inbox scope), with its evidence. `pending` while a double
    opt-in request waits for the contact's YES. An opt-out revokes it (the row is removed; the
    ledger keeps the history)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        PENDING = "pending", "Pending (double opt-in)"

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="opt_ins"
    )
    contact = models.ForeignKey(
        "workspaces.Contact", on_delete=models.CASCADE, related_name="opt_ins"
    )
    phone_number = models.ForeignKey(
        "workspaces.PhoneNumber", on_delete=models.CASCADE, related_name="opt_ins"
    )
    scope = models.CharField(max_length=16, choices=OptOutScope.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    source = models.CharField(max_length=16, choices=OptInSource.choices)
    evidence = models.TextField(help_text="The words or the form the contact agreed to.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(ConsentEvent, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # a pending request's deadline
    request_sent_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "contact", "phone_number"], name="optin_unique_per_number"
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=models.Q(status="pending"),
                name="optin_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} {self.status} on {self.phone_number}"


class RevocationReview(models.Model):
    """A text that may revoke consent ("leave me alone"), for a person to decide within ten
    business days of its arrival (the FCC's 2025 order): opt the contact out, or record that it
    was not a revocation. Both decisions go in the ledger with who made them."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a decision"
        RESOLVED = "resolved", "Decided"

    class Decision(models.TextChoices):
        OPT_OUT = "opt_out", "Opted out"
        NOT_REVOCATION = "not_revocation", "Not a revocation"

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="revocation_reviews"
    )
    contact = models.ForeignKey(
        "workspaces.Contact", on_delete=models.CASCADE, related_name="revocation_reviews"
    )
    phone_number = models.ForeignKey(
        "workspaces.PhoneNumber", on_delete=models.CASCADE, related_name="+"
    )
    # The evidence, copied like the ledger's: the text, its carrier id and arrival.
    body = models.TextField()
    message_sid = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField()
    language = models.CharField(max_length=16, blank=True)
    why = models.CharField(max_length=300, blank=True)  # the classifier's reason
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    reason = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    event = models.ForeignKey(
        ConsentEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", decision="")
                | models.Q(status="resolved", decision__in=["opt_out", "not_revocation"]),
                name="review_decided_when_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"review of {self.contact}: {self.body[:40]}"


# Imports keep their models in their own package; imported here so that Django finds them.
from .imports.models import Import, ImportRowError, ImportSeen  # noqa: E402, F401
