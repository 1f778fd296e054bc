"""Writes on messaging: receiving webhooks, processing inbound texts, sending, status updates."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from optout import sending_rules, signature
from optout.keywords import could_be_keyword, match
from optout.models import ComplianceSettings, ConsentSource
from optout.selectors import (
    block_for,
    compliance_settings_for,
    keyword_rules_for,
    keyword_rules_for_routing,
)
from optout.services import opt_in_record, opt_out_manual, opt_out_record
from workspaces.models import PhoneNumber
from workspaces.selectors import NumberOwner, workspace_number

from . import segments
from .backends import ProviderError, get_backend
from .models import (
    Contact,
    Conversation,
    Direction,
    InboundMessage,
    Message,
    MessageSource,
    MessageStatus,
)
from .phone import InvalidNumber, pretty, to_e164

logger = logging.getLogger(__name__)

CARRIER_UNSUBSCRIBED = "21610"  # Twilio: the recipient replied STOP at the carrier level


def enqueue(task, *args, queue: str | None = None) -> None:
    """Queue after commit; a broker outage is logged, not raised: the row is stored and the
    sweeper re-queues it, so the caller (a carrier webhook) still gets its answer."""

    def _send():
        try:
            task.apply_async(args, queue=queue) if queue else task.delay(*args)
        except Exception:
            logger.exception("could not queue %s%s; the sweeper will retry", task.name, args)

    transaction.on_commit(_send)


class SendRefused(Exception):
    """A send the rules forbid; `code` is the API's stable error code."""

    def __init__(self, code: str, detail: str, status: int = 422, opt_out=None):
        super().__init__(detail)
        self.code, self.detail, self.status, self.opt_out = code, detail, status, opt_out


def _get_or_insert(model, unique: dict, *, read_first: bool = True, **defaults):
    """The row with the `unique` values, inserted if missing, and whether it went through the
    insert: a read, and on a miss one INSERT … ON CONFLICT … RETURNING id (get_or_create
    spends a savepoint and two more round trips on every new contact and conversation). A row
    inserted concurrently is returned. `read_first=False` skips the read where the row is most
    likely new: the insert returns an existing row all the same. The related objects passed in
    `unique` are set on the row, so reading them costs no query."""
    if read_first:
        found = model.objects.filter(**unique).order_by().first()
        if found is not None:
            for name, value in unique.items():
                setattr(found, name, value)
            return found, False
    row = model(**unique, **defaults)
    key = list(unique)
    model.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=key, update_fields=key[-1:]
    )
    return row, True


def contact_get_or_create(*, workspace, phone: str) -> Contact:
    return _get_or_insert(Contact, {"workspace": workspace, "phone": phone})[0]


def conversation_get_or_create(
    *, workspace, phone_number, phone: str
) -> tuple[Contact, Conversation]:
    """The contact with `phone` and its conversation with `phone_number`, each made if missing.
    A contact just inserted has no conversation yet, so its conversation is inserted without
    reading first."""
    contact, inserted = _get_or_insert(Contact, {"workspace": workspace, "phone": phone})
    conversation, _ = _get_or_insert(
        Conversation,
        {"phone_number": phone_number, "contact": contact},
        read_first=not inserted,
        workspace=workspace,
    )
    return contact, conversation


def refusal_for(opt_out) -> SendRefused:
    """The refusal an agent or API client sees: when, how and under which scope."""
    inbox = opt_out.scope == "inbox" or getattr(opt_out, "workspace_scope", "") == "inbox"
    where = "any number of this workspace" if inbox else pretty(opt_out.phone_number.number)
    return SendRefused(
        "recipient_opted_out",
        f"{pretty(opt_out.contact.phone)} opted out ({opt_out.get_source_display().lower()}) on "
        f"{opt_out.created_at:%Y-%m-%d %H:%M} UTC: texting them from {where} is blocked.",
        opt_out=opt_out,
    )


def _resolve_numbers(*, workspace, from_number: str, to: str) -> tuple[PhoneNumber, str]:
    try:
        sender_e164 = to_e164(from_number)
    except InvalidNumber as exc:
        raise SendRefused("invalid_number", f"'from': {exc}", status=400) from exc
    try:
        to_e164_ = to_e164(to)
    except InvalidNumber as exc:
        raise SendRefused("invalid_number", f"'to': {exc}", status=400) from exc
    sender = workspace_number(workspace.id, sender_e164)
    if sender is None:
        raise SendRefused(
            "unknown_sender_number",
            f"{sender_e164} is not a phone number of this workspace.",
            status=400,
        )
    return sender, to_e164_


def message_send(
    *,
    workspace,
    from_number: str,
    to: str,
    body: str,
    source: str = MessageSource.API,
    sent_by=None,
) -> Message:
    """The one way to send: checks the policy, applies the signature, stores and queues."""
    from .tasks import send_message

    if not body or not body.strip():
        raise SendRefused("invalid_body", "The message body is empty.", status=400)
    sender, recipient = _resolve_numbers(workspace=workspace, from_number=from_number, to=to)
    blocked = block_for(workspace_id=workspace.id, contact_phone=recipient, number=sender.number)
    if blocked is not None:
        raise refusal_for(blocked)
    compliance = compliance_settings_for(workspace)
    if broken := sending_rules.refusal(compliance, body, timezone.now()):
        raise SendRefused(*broken)
    with transaction.atomic():
        _, conversation = conversation_get_or_create(
            workspace=workspace, phone_number=sender, phone=recipient
        )
        signed = signature.should_sign(
            mode=compliance.signature_mode,
            signature=compliance.signature_text,
            body=body,
            is_system_reply=False,
            # Only "once per conversation" needs to know; spare the query otherwise.
            conversation_signed=compliance.signature_mode == signature.FIRST_IN_CONVERSATION
            and conversation.messages.filter(signature_applied=True).exists(),
        )
        final = signature.apply(body, compliance.signature_text) if signed else body
        if len(final) > settings.MAX_SMS_BODY:
            raise SendRefused(
                "body_too_long",
                f"The message is {len(final)} characters with its signature; "
                f"{settings.MAX_SMS_BODY} at most.",
                status=400,
            )
        message = _outbound_create(
            conversation=conversation, body=final, source=source, sent_by=sent_by, signed=signed
        )
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
        enqueue(send_message, message.id)
    return message


def _outbound_create(*, conversation, body, source, sent_by=None, signed=False, reply_to=None):
    """Stores an outbound message, queued; the caller updates the conversation."""
    info = segments.count(body)
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
    return message


def inbound_receive(*, owner: NumberOwner, params: dict) -> tuple[InboundMessage, bool]:
    """Stores a carrier webhook; a repeated MessageSid is a no-op. Returns (row, created)."""
    from .tasks import process_inbound

    sid = params["MessageSid"]
    try:
        from_number = to_e164(params["From"])
    except InvalidNumber:
        from_number = params["From"].strip()  # short codes, alphanumeric senders: keep as sent
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
    if lane == "keywords" and _process_keyword_now(inbound.id):
        return inbound, True
    enqueue(process_inbound, inbound.id, queue=lane)
    return inbound, True


def _process_keyword_now(inbound_id: int) -> bool:
    """A keyword text (STOP above all) is processed before the webhook answers, so the opt-out
    is on record when the carrier gets its 200 and no broker or worker is on its path
    (docs/benchmarks.md, item 13). If that fails — a lock held longer than
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
    delivery is no error, and the webhook needs no transaction of its own (BEGIN, INSERT and
    COMMIT before, and an IntegrityError to catch: docs/benchmarks.md). Sets the id; False if
    the MessageSid is known."""
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
    if could_be_keyword(body) and match(body, keyword_rules_for_routing(workspace_id)):
        return "keywords"
    return "inbound"


@dataclass(frozen=True)
class InboundOutcome:
    keyword_kind: str | None
    reply_id: int | None


def inbound_process(*, inbound_id: int, lock_wait_ms: int | None = None) -> InboundOutcome | None:
    """Matches keywords, updates consent, records the message and queues the system reply.

    Runs under a row lock and marks the row processed in the same transaction: running it twice
    (redelivery, sweeper, the webhook and a worker) changes nothing the second time.
    `lock_wait_ms` bounds each lock wait (PostgreSQL): a webhook must not hang on a lock.
    """
    from .tasks import send_message

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
        if inbound is None or inbound.processed_at is not None:
            return None
        workspace, number = inbound.workspace, inbound.phone_number
        try:
            compliance = workspace.compliance_settings  # loaded by the query above
        except ComplianceSettings.DoesNotExist:
            compliance = compliance_settings_for(workspace)
        contact, conversation = conversation_get_or_create(
            workspace=workspace, phone_number=number, phone=inbound.from_number
        )
        info = segments.count(inbound.body)
        message = Message.objects.create(
            workspace=workspace,
            conversation=conversation,
            direction=Direction.INBOUND,
            source=MessageSource.CONTACT,
            body=inbound.body,
            status=MessageStatus.RECEIVED,
            provider_sid=inbound.message_sid,
            segments=info.segments,
            encoding=info.encoding,
        )
        # Fresh rules from the database (never the routing cache): this decides consent.
        hit = (
            match(inbound.body, keyword_rules_for(workspace))
            if could_be_keyword(inbound.body)
            else None
        )
        reply_text = ""
        if hit and hit.kind == "opt_out":
            if compliance.opt_out_confirmation_enabled:
                reply_text = hit.rule.reply_text or compliance.opt_out_confirmation_text
        elif hit and hit.kind == "opt_in":
            reply_text = hit.rule.reply_text or compliance.opt_in_confirmation_text
        elif hit:
            reply_text = hit.rule.reply_text or compliance.help_text
        reply = None
        if reply_text.strip():
            reply = _outbound_create(
                conversation=conversation,
                body=reply_text.strip(),
                source=MessageSource.SYSTEM,
                reply_to=inbound,
            )
            enqueue(send_message, reply.id)
        Conversation.objects.filter(pk=conversation.pk).update(
            last_message_at=(reply or message).created_at, unread_count=F("unread_count") + 1
        )
        inbound.processed_at = timezone.now()
        inbound.attempts += 1
        inbound.message = message
        inbound.save(update_fields=["processed_at", "attempts", "message"])
        # Consent last: it locks the contact's row until the commit (docs/benchmarks.md).
        if hit and hit.kind in ("opt_out", "opt_in"):
            record = opt_out_record if hit.kind == "opt_out" else opt_in_record
            record(
                workspace=workspace,
                contact=contact,
                phone_number=number,
                source=ConsentSource.KEYWORD,
                inbound=inbound,
                body=inbound.body,
            )
    return InboundOutcome(hit.kind if hit else None, reply.id if reply else None)


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str
    retry_in: float | None = None


def message_deliver(*, message_id: int) -> DeliveryOutcome:
    """Hands a queued message to the SMS backend, after checking the block list once more.

    A STOP that arrived while the message waited wins. System replies (confirmations, HELP)
    bypass the block list: they answer the contact's own message.
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
            blocked = block_for(
                workspace_id=message.workspace_id, contact_phone=contact.phone, number=number.number
            )
            if blocked is not None:
                refusal = refusal_for(blocked)
                _fail(message, refusal.code, refusal.detail)
                return DeliveryOutcome(MessageStatus.FAILED)
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.save(update_fields=["status", "attempts", "updated_at"])
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
        return DeliveryOutcome(
            MessageStatus.QUEUED, retry_in=settings.SEND_RETRY_BACKOFF * 2 ** (message.attempts - 1)
        )
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


def sweep_unprocessed(*, older_than_seconds: int) -> tuple[list[int], list[int]]:
    """Ids of inbound rows and queued messages that waited too long: the caller re-queues them."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    inbound = list(
        InboundMessage.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("id", flat=True)[:1000]
    )
    queued = list(
        Message.objects.filter(status=MessageStatus.QUEUED, updated_at__lt=cutoff)
        .order_by("updated_at")
        .values_list("id", flat=True)[:1000]
    )
    return inbound, queued


def conversation_mark_read(*, conversation: Conversation) -> None:
    """The agent has the thread in front of them: nothing in it is unread any more."""
    if conversation.unread_count:
        Conversation.objects.filter(pk=conversation.pk).update(unread_count=0)
        conversation.unread_count = 0


def conversation_opt_out(*, conversation: Conversation, actor, reason: str):
    """An agent opts the contact out by hand ("Contact asked by phone to stop"), with a reason:
    the same audited opt-out as the Compliance Center's manual one."""
    return opt_out_manual(
        workspace=conversation.workspace,
        contact_phone=conversation.contact.phone,
        phone_number=conversation.phone_number,
        actor=actor,
        reason=reason,
    )
