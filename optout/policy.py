"""The send policy: may this text go to this contact from this number now? Every send path (inbox,
API, the delivery task's re-check) asks here; messaging never decides consent itself."""

from datetime import datetime

from compliance_center.errors import DomainError, ErrorCode

from . import sending_rules
from .models import ComplianceSettings
from .selectors import Block, block_for


def opted_out(block: Block) -> DomainError:
    return DomainError(ErrorCode.RECIPIENT_OPTED_OUT, block.refusal)


def send_check(
    *,
    workspace_id: int,
    rules: ComplianceSettings,
    number: str,
    recipient: str,
    body: str,
    now: datetime,
) -> None:
    """Raises the refusal when the block list (under the scope in force) or the workspace's
    sending rules (quiet hours, blocked content) forbid texting `recipient` from `number`."""
    block = block_for(workspace_id=workspace_id, contact_phone=recipient, number=number)
    if block is not None:
        raise opted_out(block)
    if broken := sending_rules.refusal(rules, body, now):
        raise DomainError(ErrorCode(broken.rule), broken.detail)


def delivery_check(*, workspace_id: int, number: str, recipient: str) -> DomainError | None:
    """The check just before a queued text reaches the carrier: a STOP that arrived while it
    waited wins."""
    block = block_for(workspace_id=workspace_id, contact_phone=recipient, number=number)
    return opted_out(block) if block is not None else None
