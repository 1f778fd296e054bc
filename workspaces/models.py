"""Tenants: workspaces, their members, roles and invitations, phone numbers, API tokens,
contacts, and the audit log of every change made to them."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from compliance_center import time_zones

from .fields import EncryptedTextField
from .tenancy import WorkspaceQuerySet


def validate_time_zone(value: str) -> None:
    if not time_zones.is_valid_time_zone(value):
        raise ValidationError(f"“{value}” is not a time zone (e.g. America/New_York).")


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    AGENT = "agent", "Agent"


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    twilio_account_sid = models.CharField(max_length=64, blank=True)
    twilio_auth_token = EncryptedTextField(blank=True)
    # When a person last set the Twilio credentials; None while the workspace still has the
    # random placeholders it was created with (webhooks fail closed until then).
    twilio_credentials_changed_at = models.DateTimeField(null=True, blank=True)
    # The time zone the pages show dates in (an IANA name).
    time_zone = models.CharField(
        max_length=64, default=time_zones.DEFAULT, validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def can_manage_compliance(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER)


class PhoneNumber(models.Model):
    """A number the workspace sends from and receives on; E.164, unique across the platform."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="phone_numbers")

    class Confirmations(models.TextChoices):
        US = "us", "We send them"
        CARRIER = "carrier", "The carrier (or Twilio Advanced Opt-Out) sends them"

    number = models.CharField(max_length=20, unique=True)
    label = models.CharField(max_length=100, blank=True)

    class NumberType(models.TextChoices):
        TEN_DLC = "10dlc", "10DLC long code"
        TOLL_FREE = "toll_free", "Toll-free"
        SHORT_CODE = "short_code", "Short code"
        OTHER = "other", "Other long code"

    class Registration(models.TextChoices):
        UNREGISTERED = "unregistered", "Unregistered"
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    # Carrier registration (10DLC campaign, toll-free verification, short code): unregistered
    # traffic is filtered by the carriers; the Overview says what to do.
    number_type = models.CharField(
        max_length=16, choices=NumberType.choices, default=NumberType.TEN_DLC
    )
    registration_status = models.CharField(
        max_length=16, choices=Registration.choices, default=Registration.UNREGISTERED
    )
    # Who answers STOP and START on this number. Toll-free carriers confirm STOP themselves, and
    # a second confirmation of ours is refused by Twilio (21610): detected at creation.
    opt_out_confirmations = models.CharField(
        max_length=8, choices=Confirmations.choices, default=Confirmations.US
    )
    # The carrier's throughput for this number: every send from it is paced to this rate
    # (messaging/pacing.py). Set from the number's type when it is added (number_types.py).
    messages_per_second = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.label} {self.number}".strip()


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Invitation(models.Model):
    """An invitation to join a workspace with a role, by a one-time link. Only the SHA-256 of
    the link's token is stored; the link is shown once (and emailed). Accepting, revoking or
    resending (a new token) ends the old link."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        EXPIRED = "expired", "Expired"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per address and workspace (resend it rather than add another).
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace} ({self.role})"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def is_open(self) -> bool:
        """Not accepted nor revoked (it may have expired: it can be sent again)."""
        return self.accepted_at is None and self.revoked_at is None

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A token that acts inside one workspace. Only its SHA-256 is stored; the key is shown once."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Stamped by the API's authentication at most once a minute per token (not per request).
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.workspace})"

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)

    @staticmethod
    def generate() -> str:
        return "cc_" + secrets.token_urlsafe(32)


class Contact(models.Model):
    """Someone the workspace texts or hears from, by E.164 number; every app refers to it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    # E.164 for phones (a "whatsapp:+1…" address is its phone number's contact); a sender that is
    # not a phone number (short code, alphanumeric sender id) is kept exactly as the carrier gave
    # it (messaging.services.inbound.sender_address).
    phone = models.CharField(max_length=64, help_text="E.164, or the carrier's sender id")
    name = models.CharField(max_length=200, blank=True)
    # The contact's own IANA time zone, when known: their quiet hours are kept in it (else the
    # zones of their number's area code).
    time_zone = models.CharField(max_length=64, blank=True, default="", db_default="")
    # When the contact last texted the workspace (any number): a contact who texted first may be
    # answered without consent on record, and replies to them are not held for quiet hours.
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # Custom fields ({"city": "Lyon"}), text values: merge fields of broadcasts, imports' columns.
    fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "phone"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "phone"], name="contact_unique_phone"),
        ]
        # Lists and audiences walk a workspace's contacts by id (keyset pages, chunks).
        indexes = [models.Index(fields=["workspace", "id"], name="contact_workspace_id_idx")]

    def __str__(self) -> str:
        return self.name or self.phone


class AuditLogEntry(models.Model):
    """Who changed what in the workspace (its settings, numbers, members, tokens, CRM endpoints,
    compliance settings), from what to what, when. Written by the services that make the change,
    in the same transaction; the Compliance Center's Audit log tab shows it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=16, default="web")
    action = models.CharField(max_length=64)
    # A setting's name, or what the change was made to: a number, a member's email, a CRM URL.
    field = models.CharField(max_length=500, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="audit_workspace_time")]

    def __str__(self) -> str:
        return f"{self.action} {self.field}: {self.old_value!r} → {self.new_value!r}"


class Tag(models.Model):
    """A label on contacts ("vip", "newsletter"): audiences of broadcasts, filters of lists.

    A table of its own with a join table, not an array on the contact: "the contacts tagged X"
    is then an index range scan of (tag, contact) on PostgreSQL and SQLite alike, at a million
    contacts, and a tag is renamed or counted in one row."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="tag_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactTag(models.Model):
    """A contact carries a tag. The unique (tag, contact) index serves "contacts tagged X"."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="contact_tags")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "contact"], name="contact_tag_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} #{self.tag_id}"
