"""The send policy: may this text go to this contact from this number now? Every send path (inbox,
API, broadcasts) asks here, and the delivery task re-checks the block list just before the
carrier; messaging never decides consent itself.

The four US rules, in the order they are checked: opted out (the block list under the scope in
force), consent before contact, content (SHAFT-C and the workspace's own blocked words), and the
recipient's sending window (quiet hours in their own time, state rules). A refusal is raised as a
`DomainError`; what passes comes back as a `Verdict` with its warnings and, for a send the caller
asked to hold, when the window opens."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from compliance_center.dates import when_text
from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import pretty
from workspaces.models import Contact

from . import content, sending_rules, windows
from .models import ComplianceSettings, ConsentStatus
from .selectors import Block, block_for, consent_status

# Warning codes that never block (the 201 answer's `warnings`, the composer).
NUMBER_UNREGISTERED = "number_unregistered"
REFUSE, DEFER = "refuse", "defer"


@dataclass(frozen=True)
class Verdict:
    """A send the rules allow: `warnings` to show, and `scheduled_for` when it must wait for the
    recipient's window (only when the caller asked to defer rather than be refused)."""

    warnings: tuple[str, ...] = ()
    scheduled_for: datetime | None = None


def opted_out(block: Block) -> DomainError:
    return DomainError(ErrorCode.RECIPIENT_OPTED_OUT, block.refusal)


def consent_refusal(
    *, rules: ComplianceSettings, workspace_id: int, sender: Any, recipient: str, now: datetime
) -> DomainError | None:
    """Consent before contact: a contact whose double opt-in is pending gets nothing but the
    request; with `consent_required`, a contact with no consent on record who never texted in
    gets nothing at all."""
    if not (rules.consent_required or rules.double_opt_in_enabled):
        return None
    consent = consent_status(
        workspace_id=workspace_id, contact_phone=recipient, number=sender, now=now
    )
    if consent.status == ConsentStatus.PENDING and consent.opt_in is not None:
        sent = consent.opt_in.request_sent_at or consent.opt_in.created_at
        return DomainError(
            ErrorCode.CONSENT_PENDING,
            f"{pretty(recipient)} has not confirmed yet: the double opt-in request went out on "
            f"{when_text(sent)}; texts resume when they reply YES.",
        )
    if (
        rules.consent_required
        and consent.status == ConsentStatus.UNKNOWN
        and consent.texted_in_at is None
    ):
        return DomainError(
            ErrorCode.CONSENT_REQUIRED,
            f"No consent on record for {pretty(recipient)}, who has never texted this workspace: "
            "record their consent first (on the contact's page or POST /api/v1/opt-ins).",
        )
    return None


def content_check(*, rules: ComplianceSettings, body: str) -> tuple[str, ...]:
    """Raises `content_blocked` (with `category`) for blocked content; returns the warnings."""
    term = sending_rules.blocked_term(body, sending_rules.parse_terms(rules.blocked_terms))
    if term:
        raise DomainError(
            ErrorCode.CONTENT_BLOCKED,
            f"The message contains “{term}”, which this workspace's content rules block.",
            field="body",
            category="custom",
        )
    decision = content.content_decision(body, rules.content_rules or {})
    if decision.blocked_category:
        hit = next(h for h in decision.hits if h.category == decision.blocked_category)
        raise DomainError(
            ErrorCode.CONTENT_BLOCKED,
            f"The message contains “{hit.text}” ({content.CATEGORY_LABELS[hit.category]}): "
            "carriers filter SHAFT-C content, and this workspace blocks it.",
            field="body",
            category=decision.blocked_category,
        )
    return decision.warnings


def number_warnings(sender: Any) -> tuple[str, ...]:
    """A 10DLC number the carriers have not approved: its traffic may be filtered."""
    if sender.number_type == "10dlc" and sender.registration_status != "approved":
        return (NUMBER_UNREGISTERED,)
    return ()


def window_decision(
    *, rules: ComplianceSettings, recipient: str, contact: Contact | None, now: datetime
) -> windows.WindowDecision | None:
    """The recipient's sending window now, or None when no window applies (quiet hours and
    state rules off, or the contact texted within `reply_window_hours`: a reply is answered)."""
    if not (rules.quiet_hours_enabled or rules.state_rules_enabled):
        return None
    texted_in = contact.last_inbound_at if contact is not None else None
    if texted_in is not None and now - texted_in < timedelta(hours=rules.reply_window_hours):
        return None
    return recipient_window(
        rules=rules, recipient=recipient, time_zone=contact.time_zone if contact else "", now=now
    )


def recipient_window(
    *, rules: ComplianceSettings, recipient: str, time_zone: str, now: datetime
) -> windows.WindowDecision:
    """The window of a recipient who has not texted in lately: quiet hours in their zones (their
    own `time_zone`, else their number's, else the workspace's) and their area code's state
    rules, as the settings turn them on."""
    zones = windows.recipient_zones(recipient, time_zone, fallback=rules.timezone)
    return windows.window_check(
        now=now,
        zones=zones,
        quiet_start=rules.quiet_hours_start,
        quiet_end=rules.quiet_hours_end,
        quiet_enabled=rules.quiet_hours_enabled,
        area_code_rules=windows.state_rules_for(recipient) if rules.state_rules_enabled else None,
    )


def send_check(
    *,
    workspace_id: int,
    rules: ComplianceSettings,
    sender: Any,
    recipient: str,
    body: str,
    now: datetime,
    when_closed: str = REFUSE,
) -> Verdict:
    """Raises the refusal when a rule forbids texting `recipient` from the workspace number
    `sender` now; otherwise the warnings, and with `when_closed="defer"` when a closed window
    opens (the send is then held, not refused)."""
    block = block_for(workspace_id=workspace_id, contact_phone=recipient, number=sender.number)
    if block is not None:
        raise opted_out(block)
    if refusal := consent_refusal(
        rules=rules, workspace_id=workspace_id, sender=sender, recipient=recipient, now=now
    ):
        raise refusal
    warnings = [*content_check(rules=rules, body=body), *number_warnings(sender)]
    contact = (
        Contact.objects.filter(workspace_id=workspace_id, phone=recipient)
        .only("id", "time_zone", "last_inbound_at")
        .first()
        if rules.quiet_hours_enabled or rules.state_rules_enabled
        else None
    )
    window = window_decision(rules=rules, recipient=recipient, contact=contact, now=now)
    if window is not None and not window.open:
        if when_closed == DEFER and window.opens_at is not None:
            return Verdict(tuple(warnings), scheduled_for=window.opens_at)
        opens = (
            f" Sending opens {when_text(window.opens_at)}."
            if window.opens_at
            else " The window never opens for this number."
        )
        raise DomainError(
            ErrorCode.QUIET_HOURS,
            f"Outside {pretty(recipient)}'s sending window: {window.reason}{opens}",
            retry_after=window.opens_at.isoformat() if window.opens_at else None,
        )
    return Verdict(tuple(warnings))


def delivery_check(*, workspace_id: int, number: str, recipient: str) -> DomainError | None:
    """The check just before a queued text reaches the carrier: a STOP that arrived while it
    waited wins."""
    block = block_for(workspace_id=workspace_id, contact_phone=recipient, number=number)
    return opted_out(block) if block is not None else None
