"""The send policy: may this text go to this contact from this number now? Every send path (inbox,
API, the delivery task's re-check) asks here; messaging never decides consent itself."""

from datetime import datetime
from typing import Any

from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import pretty

from . import sending_rules
from .models import ComplianceSettings, ConsentStatus
from .selectors import Block, block_for, consent_status


def opted_out(block: Block) -> DomainError:
    return DomainError(ErrorCode.RECIPIENT_OPTED_OUT, block.refusal)


def _consent_refusal(
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
            f"{sent:%Y-%m-%d %H:%M} UTC; texts resume when they reply YES.",
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


def send_check(
    *,
    workspace_id: int,
    rules: ComplianceSettings,
    sender: Any,
    recipient: str,
    body: str,
    now: datetime,
) -> None:
    """Raises the refusal when the block list (under the scope in force), consent, or the
    workspace's sending rules (quiet hours, blocked content) forbid texting `recipient` from the
    workspace number `sender`."""
    block = block_for(workspace_id=workspace_id, contact_phone=recipient, number=sender.number)
    if block is not None:
        raise opted_out(block)
    if refusal := _consent_refusal(
        rules=rules, workspace_id=workspace_id, sender=sender, recipient=recipient, now=now
    ):
        raise refusal
    if broken := sending_rules.refusal(rules, body, now):
        raise DomainError(ErrorCode(broken.rule), broken.detail)


def delivery_check(*, workspace_id: int, number: str, recipient: str) -> DomainError | None:
    """The check just before a queued text reaches the carrier: a STOP that arrived while it
    waited wins."""
    block = block_for(workspace_id=workspace_id, contact_phone=recipient, number=number)
    return opted_out(block) if block is not None else None
