"""The one way to send: inbox, API and system replies all store and queue a message here."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from compliance_center.dispatch import Job, enqueue
from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import InvalidNumber, to_e164
from compliance_center.segments import MAX_BODY_LENGTH, count
from optout import policy, signature
from optout.selectors import compliance_settings_for
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
) -> Message:
    """Checks the send policy, applies the signature, stores the message and queues it.

    Raises DomainError with the refusal (opted out, quiet hours, content, bad numbers)."""
    if not body or not body.strip():
        raise DomainError(ErrorCode.INVALID_BODY, "The message body is empty.", field="body")
    sender, recipient = _resolve_numbers(workspace=workspace, from_number=from_number, to=to)
    rules = compliance_settings_for(workspace)
    policy.send_check(
        workspace_id=workspace.id,
        rules=rules,
        sender=sender,
        recipient=recipient,
        body=body,
        now=timezone.now(),
    )
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
        )
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    return message


def outbound_store(
    *,
    conversation: Conversation,
    body: str,
    source: str,
    sent_by: Any = None,
    signed: bool = False,
    reply_to: InboundMessage | None = None,
) -> Message:
    """Stores an outbound message, queued, and queues its delivery after the commit; the caller
    updates the conversation."""
    info = count(body)
    message = Message.objects.create(
        workspace_id=conversation.workspace_id,
        conversation=conversation,
        direction=Direction.OUTBOUND,
        source=source,
        body=body,
        status=MessageStatus.QUEUED,
        segments=info.segments,
        encoding=info.encoding,
        signature_applied=signed,
        sent_by=sent_by,
        reply_to=reply_to,
    )
    enqueue(Job.MESSAGE_DELIVER, message.id)
    return message
