"""Delivery: a queued text goes to the SMS backend after one more look at the block list, and
status callbacks move it forward (queued → sending → sent → delivered / undelivered / failed,
never backward). Twilio's 21610 (unsubscribed at the carrier) records an opt-out."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from compliance_center.dispatch import Job, enqueue
from optout import policy
from optout.models import ConsentSource
from optout.services import opt_out_record

from .. import pacing
from ..backends import ProviderError, get_backend
from ..models import Message, MessageSource, MessageStatus

logger = logging.getLogger(__name__)

CARRIER_UNSUBSCRIBED = "21610"  # Twilio: the recipient replied STOP at the carrier level


class DeliveryDeferred(Exception):
    """The backend failed in a way worth retrying; the message is queued again and the task
    retries it with backoff (declared on the task)."""


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str


def message_deliver(*, message_id: int) -> DeliveryOutcome:
    """Hands a queued message to the SMS backend, after checking the block list once more.

    A STOP that arrived while the message waited wins. System replies (confirmations, HELP)
    bypass the block list: they answer the contact's own message. Raises DeliveryDeferred for a
    transient provider error while attempts remain (SEND_MAX_RETRIES).
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation__contact", "conversation__phone_number", "workspace")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status != MessageStatus.QUEUED:
            return DeliveryOutcome(message.status if message else "missing")
        contact = message.conversation.contact
        number = message.conversation.phone_number
        if message.source != MessageSource.SYSTEM:
            refused = policy.delivery_check(
                workspace_id=message.workspace_id, number=number.number, recipient=contact.phone
            )
            if refused is not None:
                _fail(message, refused.code, refused.detail)
                return DeliveryOutcome(MessageStatus.FAILED)
        # Each number is paced to its carrier's rate (messaging/pacing.py); a system reply
        # answers the contact's own text and goes at once.
        wait = (
            0.0
            if message.source == MessageSource.SYSTEM
            else pacing.reserve(number.number, number.messages_per_second)
        )
        if wait is None:  # no slot soon: the message stays queued, tried again later
            enqueue(Job.MESSAGE_DELIVER, message.pk, countdown=pacing.retry_in())
            return DeliveryOutcome("paced")
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.save(update_fields=["status", "attempts", "updated_at"])
    pacing.wait(wait)
    try:
        result = get_backend().send(
            workspace=message.workspace,
            from_number=number.number,
            to=contact.phone,
            body=message.body,
            message_id=message.pk,
        )
    except ProviderError as exc:
        return _provider_failed(message, exc)
    # A status callback may have got here first (and moved the status on): keep its status.
    Message.objects.filter(pk=message.pk).update(
        provider_sid=result.provider_sid,
        status=Case(
            When(status=MessageStatus.SENDING, then=Value(result.status)), default=F("status")
        ),
        updated_at=timezone.now(),
    )
    return DeliveryOutcome(result.status)


def _fail(message: Message, code: str, detail: str) -> None:
    message.status = MessageStatus.FAILED
    message.error_code = code
    message.error_message = detail[:1000]
    message.save(update_fields=["status", "error_code", "error_message", "updated_at"])


def _provider_failed(message: Message, exc: ProviderError) -> DeliveryOutcome:
    if exc.code in pacing.SLOW_DOWN_CODES:
        pacing.slow_down(message.conversation.phone_number.number)
    if exc.code == CARRIER_UNSUBSCRIBED:
        with transaction.atomic():
            _fail(message, exc.code, exc.message or "Recipient unsubscribed at the carrier.")
            _carrier_opt_out(message)
        return DeliveryOutcome(MessageStatus.FAILED)
    if exc.retryable and message.attempts <= settings.SEND_MAX_RETRIES:
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.QUEUED,
            error_code=exc.code,
            error_message=exc.message[:1000],
            updated_at=timezone.now(),
        )
        raise DeliveryDeferred(f"message {message.pk}: {exc}") from exc
    _fail(message, exc.code, exc.message)
    logger.warning("message %s failed for good: %s", message.pk, exc)
    return DeliveryOutcome(MessageStatus.FAILED)


def _carrier_opt_out(message: Message) -> None:
    conversation = message.conversation
    opt_out_record(
        workspace=message.workspace,
        contact=conversation.contact,
        phone_number=conversation.phone_number,
        source=ConsentSource.CARRIER,
        reason=f"Twilio error {CARRIER_UNSUBSCRIBED}: the recipient unsubscribed at the carrier.",
    )


# Forward-only status ladder: a late "sent" never overwrites "delivered".
STATUS_RANK = {
    "queued": 0,
    "accepted": 0,
    "scheduled": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "read": 3,
}
TERMINAL = {"delivered", "undelivered", "failed"}


def status_callback_apply(
    *, message: Message, status: str, error_code: str = "", provider_sid: str = ""
) -> bool:
    """Moves a message forward through its statuses; returns whether anything changed.

    `provider_sid` is stored if the send task has not stored it yet (Twilio called back first).
    """
    status = "delivered" if status == "read" else status
    if status not in STATUS_RANK or status not in MessageStatus.values:
        return False
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation__contact", "conversation__phone_number", "workspace")
            .get(pk=message.pk)
        )
        sid_fields = []
        if provider_sid and not message.provider_sid:
            message.provider_sid = provider_sid
            sid_fields = ["provider_sid"]
        if message.status in TERMINAL or STATUS_RANK[status] <= STATUS_RANK.get(message.status, 0):
            if sid_fields:
                message.save(update_fields=[*sid_fields, "updated_at"])
            return False
        message.status = status
        if error_code:
            message.error_code = error_code
        message.save(update_fields=["status", "error_code", "updated_at", *sid_fields])
        if error_code == CARRIER_UNSUBSCRIBED:
            _carrier_opt_out(message)
    return True


# How far before our own row Twilio's copy of a message may have been created (clock skew).
RECONCILE_CLOCK_SKEW = timedelta(minutes=2)


def message_reconcile(*, message_id: int) -> DeliveryOutcome:
    """A message left in `sending` without a provider id (the worker died during the Twilio
    call) is looked up at Twilio before anything is sent again: found, it takes Twilio's id and
    status; not found, it is queued again and sent once. Neither lost nor sent twice."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation__contact", "conversation__phone_number", "workspace")
            .filter(pk=message_id, status=MessageStatus.SENDING, provider_sid__isnull=True)
            .first()
        )
        if message is None:
            return DeliveryOutcome("settled")
        conversation = message.conversation
        try:
            found = get_backend().find_sent(
                workspace=message.workspace,
                from_number=conversation.phone_number.number,
                to=conversation.contact.phone,
                body=message.body,
                since=message.created_at - RECONCILE_CLOCK_SKEW,
            )
        except ProviderError as exc:
            logger.warning("message %s: Twilio could not be asked (%s); later", message_id, exc)
            return DeliveryOutcome(MessageStatus.SENDING)
        if found is not None:
            message.provider_sid = found.provider_sid
            message.status = found.status
            message.save(update_fields=["provider_sid", "status", "updated_at"])
            return DeliveryOutcome(found.status)
        message.status = MessageStatus.QUEUED
        message.save(update_fields=["status", "updated_at"])
        enqueue(Job.MESSAGE_DELIVER, message.pk)
    return DeliveryOutcome(MessageStatus.QUEUED)
