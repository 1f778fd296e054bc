"""Inbound texts: a carrier webhook is stored first (so no STOP is lost), then processed: optout
says what the text changes and which reply is due, and this module records the message, sends
that reply, and has optout record the consent change — in one transaction."""

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from compliance_center.dispatch import Job, enqueue
from compliance_center.phone import InvalidNumber, to_e164
from compliance_center.segments import count
from optout.models import ComplianceSettings
from optout.selectors import compliance_settings_for, inbound_decision, is_keyword_for_routing
from optout.services import TextEvidence, inbound_consent_record
from workspaces.selectors import NumberOwner
from workspaces.services import contact_texted_in

from ..models import Conversation, Direction, InboundMessage, Message, MessageSource, MessageStatus
from .conversations import conversation_get_or_create
from .outbound import outbound_store

logger = logging.getLogger(__name__)

KEYWORDS_QUEUE = "keywords"
INBOUND_QUEUE = "inbound"


def inbound_receive(*, owner: NumberOwner, params: dict[str, str]) -> tuple[InboundMessage, bool]:
    """Stores a carrier webhook; a repeated MessageSid is a no-op. Returns (row, created).

    A keyword text is processed before the webhook answers (see `_process_keyword_now`); every
    other text is queued."""
    sid = params["MessageSid"]
    from_number = sender_address(params["From"])
    inbound = InboundMessage(
        workspace_id=owner.workspace_id,
        phone_number_id=owner.phone_number_id,
        message_sid=sid,
        from_number=from_number,
        body=params.get("Body", ""),
        params=params,
    )
    if not _insert_unless_known(inbound):
        return InboundMessage.objects.get(message_sid=sid), False
    lane = inbound_queue(owner.workspace_id, inbound.body)
    if lane == KEYWORDS_QUEUE and _process_keyword_now(inbound.id):
        return inbound, True
    enqueue(Job.INBOUND_PROCESS, inbound.id, queue=lane)
    return inbound, True


_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-]{3,}$")
_CHANNEL_PREFIX = re.compile(r"^[a-z]+:")


def sender_address(raw: str) -> str:
    """A sender as its contact: an E.164 number when it is a phone number (a WhatsApp or other
    channel address with a phone number is that number's contact: its STOP blocks the number);
    a short code, an alphanumeric id or anything else exactly as the carrier gave it — never
    parsed as a phone number, since "SHOP6502001234" must not become +16502001234."""
    raw = raw.strip()
    phone = _CHANNEL_PREFIX.sub("", raw, count=1)
    if _PHONE_LIKE.match(phone):
        try:
            return to_e164(phone)
        except InvalidNumber:
            pass
    return raw


def _process_keyword_now(inbound_id: int) -> bool:
    """A keyword text (STOP above all) is processed before the webhook answers, so the opt-out
    is on record when the carrier gets its 200 and no broker or worker is on its path
    (docs/decisions/0001-stop-inside-the-webhook.md). If that fails — a lock held longer than
    KEYWORD_INLINE_LOCK_WAIT_MS, a database error — the stored row goes to the `keywords` queue
    like any other text, and the carrier still gets its answer."""
    try:
        inbound_process(inbound_id=inbound_id, lock_wait_ms=settings.KEYWORD_INLINE_LOCK_WAIT_MS)
    except Exception:
        logger.exception("inbound %s: keyword not processed inline; queued instead", inbound_id)
        return False
    return True


def _insert_unless_known(inbound: InboundMessage) -> bool:
    """One statement, INSERT … ON CONFLICT (message_sid) DO NOTHING RETURNING id: a repeated
    delivery is no error, and the webhook needs no transaction of its own
    (docs/decisions/0002-hand-written-sql-on-hot-paths.md). Sets the id; False if the
    MessageSid is known."""
    meta = InboundMessage._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(inbound, add=True), connection) for f in fields]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        f" ON CONFLICT ({quote(meta.get_field('message_sid').column)}) DO NOTHING"
        f" RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    inbound.pk = row[0]
    inbound._state.adding = False
    return True


def inbound_queue(workspace_id: int, body: str) -> str:
    """The fast lane for texts that are keywords (STOP above all): when a campaign's replies pile
    up on `inbound`, the worker still takes `keywords` first (see CELERY_TASK_QUEUES)."""
    return KEYWORDS_QUEUE if is_keyword_for_routing(workspace_id, body) else INBOUND_QUEUE


@dataclass(frozen=True)
class InboundOutcome:
    keyword_kind: str | None
    reply_id: int | None


def inbound_process_counted(*, inbound_id: int) -> InboundOutcome | None:
    """`inbound_process`, with a failure counted against the row (a poisoned row becomes a dead
    letter instead of being retried for ever); the error is raised again for the task's log."""
    try:
        return inbound_process(inbound_id=inbound_id)
    except Exception as exc:
        inbound_failure_record(inbound_id=inbound_id, error=exc)
        raise


def inbound_process(*, inbound_id: int, lock_wait_ms: int | None = None) -> InboundOutcome | None:
    """Records the text in its conversation, sends the system reply optout says is due, and has
    optout record the consent change.

    Runs under a row lock and marks the row processed in the same transaction: running it twice
    (redelivery, sweeper, the webhook and a worker) changes nothing the second time.
    `lock_wait_ms` bounds each lock wait (PostgreSQL): a webhook must not hang on a lock.
    """
    with transaction.atomic():
        if lock_wait_ms is not None and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{lock_wait_ms}ms"])
        inbound = (
            # of=self: locking the joined workspace and number rows too would block (and
            # deadlock with) every webhook's foreign-key check on them.
            InboundMessage.objects.select_for_update(of=("self",))
            .select_related("workspace__compliance_settings", "phone_number")
            .filter(pk=inbound_id)
            .first()
        )
        if inbound is None or inbound.processed_at is not None or inbound.dead_at is not None:
            return None
        workspace, number = inbound.workspace, inbound.phone_number
        rules = _rules_of(workspace)
        contact, conversation = conversation_get_or_create(
            workspace=workspace, phone_number=number, phone=inbound.from_number
        )
        message = _inbound_store(conversation, inbound)
        contact_texted_in(contact=contact, at=inbound.received_at)
        decision = inbound_decision(
            workspace=workspace,
            rules=rules,
            body=inbound.body,
            contact_phone=contact.phone,
            number=number,
            # Twilio's Advanced Opt-Out answered the keyword itself and says so.
            carrier_answered=bool((inbound.params or {}).get("OptOutType")),
        )
        reply = None
        if decision.reply_text:
            reply = outbound_store(
                conversation=conversation,
                body=decision.reply_text,
                source=MessageSource.SYSTEM,
                reply_to=inbound,
            )
        Conversation.objects.filter(pk=conversation.pk).update(
            last_message_at=(reply or message).created_at, unread_count=F("unread_count") + 1
        )
        inbound.processed_at = inbound.last_attempt_at = timezone.now()
        inbound.attempts += 1
        inbound.message = message
        inbound.save(update_fields=["processed_at", "last_attempt_at", "attempts", "message"])
        # Consent last: it locks the contact's row until the commit
        # (docs/decisions/0009-consent-lock-on-the-contact-row.md).
        inbound_consent_record(
            workspace=workspace,
            contact=contact,
            phone_number=number,
            decision=decision,
            text=TextEvidence(
                body=inbound.body, message_sid=inbound.message_sid, received_at=inbound.received_at
            ),
        )
    return InboundOutcome(decision.kind, reply.id if reply else None)


def _rules_of(workspace: Any) -> ComplianceSettings:
    try:
        return workspace.compliance_settings  # loaded with the inbound row
    except ComplianceSettings.DoesNotExist:
        return compliance_settings_for(workspace)


def _inbound_store(conversation: Conversation, inbound: InboundMessage) -> Message:
    info = count(inbound.body)
    return Message.objects.create(
        workspace_id=conversation.workspace_id,
        conversation=conversation,
        direction=Direction.INBOUND,
        source=MessageSource.CONTACT,
        body=inbound.body,
        status=MessageStatus.RECEIVED,
        provider_sid=inbound.message_sid,
        segments=info.segments,
        encoding=info.encoding,
    )


def inbound_failure_record(*, inbound_id: int, error: BaseException) -> bool:
    """Counts a failed attempt at processing a row (in its own transaction: the attempt's was
    rolled back) and makes it a dead letter after INBOUND_MAX_ATTEMPTS; True if it now is one."""
    with transaction.atomic():
        inbound = (
            InboundMessage.objects.select_for_update(of=("self",))
            .filter(pk=inbound_id, processed_at__isnull=True, dead_at__isnull=True)
            .first()
        )
        if inbound is None:
            return False
        now = timezone.now()
        inbound.attempts += 1
        inbound.last_attempt_at = now
        inbound.last_error = f"{type(error).__name__}: {error}"[:2000]
        if inbound.attempts >= settings.INBOUND_MAX_ATTEMPTS:
            inbound.dead_at = now
            logger.error("inbound %s is a dead letter: %s", inbound_id, inbound.last_error)
        inbound.save(update_fields=["attempts", "last_attempt_at", "last_error", "dead_at"])
        return inbound.dead_at is not None


def dead_letter_retry(*, inbound: InboundMessage) -> None:
    """A person asks for a dead letter to be processed again (after a fix): it gets a fresh
    count of attempts and is queued now."""
    InboundMessage.objects.filter(pk=inbound.pk, processed_at__isnull=True).update(
        dead_at=None, attempts=0, last_error=""
    )
    enqueue(Job.INBOUND_PROCESS, inbound.pk, queue=INBOUND_QUEUE)
