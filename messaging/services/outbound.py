"""The one way to send: inbox, API and system replies all store and queue a message here."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from compliance_center.dispatch import Job, enqueue
from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import InvalidNumber, to_e164
from compliance_center.segments import MAX_BODY_LENGTH, count
from optout import policy, signature
from optout.selectors import compliance_settings_for
from optout.services import rule_outcomes_record
from workspaces.models import PhoneNumber, Workspace
from workspaces.selectors import workspace_number

from ..models import Conversation, Direction, InboundMessage, Message, MessageSource, MessageStatus
from .conversations import conversation_get_or_create


def _resolve_numbers(*, workspace: Workspace, from_number: str, to: str) -> tuple[PhoneNumber, str]:
    try:
        sender_e164 = to_e164(from_number)
    except InvalidNumber as exc:
        raise DomainError(ErrorCode.INVALID_NUMBER, f"'from': {exc}", field="from") from exc
    try:
        recipient = to_e164(to)
    except InvalidNumber as exc:
        raise DomainError(ErrorCode.INVALID_NUMBER, f"'to': {exc}", field="to") from exc
    sender = workspace_number(workspace.id, sender_e164)
    if sender is None:
        raise DomainError(
            ErrorCode.UNKNOWN_SENDER_NUMBER,
            f"{sender_e164} is not a phone number of this workspace.",
            field="from",
        )
    return sender, recipient


def message_send(
    *,
    workspace: Workspace,
    from_number: str,
    to: str,
    body: str,
    source: str = MessageSource.API,
    sent_by: Any = None,
    when_closed: str = policy.REFUSE,
) -> Message:
    """Checks the send policy, applies the signature, stores the message and queues it — or,
    with `when_closed="defer"` and the recipient's window closed, holds it (`scheduled`) until
    the window opens. The policy's warnings are kept on the message.

    Raises DomainError with the refusal (opted out, consent, content, quiet hours, bad numbers)."""
    if not body or not body.strip():
        raise DomainError(ErrorCode.INVALID_BODY, "The message body is empty.", field="body")
    if when_closed not in (policy.REFUSE, policy.DEFER):
        raise DomainError(
            ErrorCode.INVALID_CHOICE, "when_closed is `refuse` or `defer`.", field="when_closed"
        )
    sender, recipient = _resolve_numbers(workspace=workspace, from_number=from_number, to=to)
    rules = compliance_settings_for(workspace)
    try:
        verdict = policy.send_check(
            workspace_id=workspace.id,
            rules=rules,
            sender=sender,
            recipient=recipient,
            body=body,
            now=timezone.now(),
            when_closed=when_closed,
        )
    except DomainError as refusal:
        rule_outcomes_record(workspace=workspace, refused=refusal.code)
        raise
    with transaction.atomic():
        _, conversation = conversation_get_or_create(
            workspace=workspace, phone_number=sender, phone=recipient
        )
        composed = signature.compose(
            body=body,
            mode=rules.signature_mode,
            signature=rules.signature_text,
            # Only "once per conversation" needs to know; spare the query otherwise.
            conversation_signed=rules.signature_mode == signature.FIRST_IN_CONVERSATION
            and conversation.messages.filter(signature_applied=True).exists(),
        )
        if composed.too_long:
            raise DomainError(
                ErrorCode.BODY_TOO_LONG,
                f"The message is {composed.chars} characters with its signature; "
                f"{MAX_BODY_LENGTH} at most.",
                field="body",
            )
        message = outbound_store(
            conversation=conversation,
            body=composed.final,
            source=source,
            sent_by=sent_by,
            signed=composed.signed,
            warnings=verdict.warnings,
            scheduled_for=verdict.scheduled_for,
        )
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
        rule_outcomes_record(
            workspace=workspace, warned=verdict.warnings, held=verdict.scheduled_for is not None
        )
    return message


def outbound_store(
    *,
    conversation: Conversation,
    body: str,
    source: str,
    sent_by: Any = None,
    signed: bool = False,
    reply_to: InboundMessage | None = None,
    warnings: tuple[str, ...] = (),
    scheduled_for: datetime | None = None,
) -> Message:
    """Stores an outbound message, queued (and queues its delivery after the commit) or held
    until `scheduled_for`; the caller updates the conversation."""
    info = count(body)
    message = Message.objects.create(
        workspace_id=conversation.workspace_id,
        conversation=conversation,
        direction=Direction.OUTBOUND,
        source=source,
        body=body,
        status=MessageStatus.SCHEDULED if scheduled_for else MessageStatus.QUEUED,
        segments=info.segments,
        encoding=info.encoding,
        signature_applied=signed,
        sent_by=sent_by,
        reply_to=reply_to,
        warnings=list(warnings),
        scheduled_for=scheduled_for,
    )
    if scheduled_for is None:
        enqueue(Job.MESSAGE_DELIVER, message.id)
    return message


def held_sends_release(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queues the held sends whose window has opened (the delivery task re-checks the block list:
    a STOP that arrived meanwhile wins)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.SCHEDULED, scheduled_for__lte=now)
            .order_by("scheduled_for")
            .values_list("id", flat=True)[:limit]
        )
        Message.objects.filter(id__in=due).update(status=MessageStatus.QUEUED, updated_at=now)
        for message_id in due:
            enqueue(Job.MESSAGE_DELIVER, message_id)
    return len(due)
