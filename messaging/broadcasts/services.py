"""Writes of broadcasts: create, prepare (resolve the recipients), step (hand the next recipients
to the one send path), pause, resume, cancel; each in its own transactions, each safe to run
twice. Every recipient's text is made by `messaging.services.outbound.message_send`, so the send
policy, the signature and the delivery re-check apply to it as to any message."""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from compliance_center.dispatch import Job, enqueue
from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import InvalidNumber, to_e164
from compliance_center.segments import MAX_BODY_LENGTH
from optout.selectors import compliance_settings_for
from workspaces.models import Contact, PhoneNumber, Tag, Workspace
from workspaces.selectors import workspace_number
from workspaces.tagging import normalize_tag

from ..models import Message, MessageSource, MessageStatus
from ..services.outbound import message_send
from . import audience as audiences
from . import merge
from .models import (
    ACTIVE,
    Broadcast,
    BroadcastRecipient,
    BroadcastStatus,
    RecipientStatus,
)

logger = logging.getLogger(__name__)

# Recipients handed to the send path per step: about two seconds of the senders' pace (so that
# a pause takes effect within a couple of seconds), at least MIN_WINDOW, at most MAX_WINDOW.
MIN_WINDOW, MAX_WINDOW = 4, 500
DEFER_WITHOUT_RETRY_AFTER = timedelta(minutes=15)
SIGNATURE_ROOM = 0  # the signature's own length is added by the send path and checked there


# ---------------------------------------------------------------- input


def parse_audience(raw: Any, workspace: Workspace) -> audiences.Audience:
    """`{"numbers": [...]}`, `{"tag": "..."}` or `{"all": true}`; DomainError (field
    `audience`) for anything else."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise DomainError(
            ErrorCode.INVALID,
            'The audience is one of {"numbers": [...]}, {"tag": "..."} or {"all": true}.',
            field="audience",
        )
    [(kind, value)] = raw.items()
    if kind == "all" and value is True:
        return audiences.Audience("all")
    if kind == "tag" and isinstance(value, str):
        try:
            return audiences.Audience("tag", tag=normalize_tag(value))
        except ValueError as exc:
            raise DomainError(ErrorCode.INVALID, f"audience: {exc}", field="audience") from exc
    if kind == "numbers" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        if len(value) > audiences.MAX_LISTED_NUMBERS:
            raise DomainError(
                ErrorCode.INVALID,
                f"A list audience has {audiences.MAX_LISTED_NUMBERS} numbers at most: import "
                "them with a tag and send to the tag.",
                field="audience",
            )
        return audiences.Audience("numbers", numbers=tuple(value))
    raise DomainError(
        ErrorCode.INVALID,
        'The audience is one of {"numbers": [...]}, {"tag": "..."} or {"all": true}.',
        field="audience",
    )


def resolve_senders(workspace: Workspace, raw: str | list[str]) -> list[PhoneNumber]:
    """The sender numbers: one number, or a list of them (a pool), all the workspace's own."""
    items = [raw] if isinstance(raw, str) else list(raw)
    if not items or len(items) > 50:
        raise DomainError(
            ErrorCode.INVALID, "Give a sender number, or a pool of up to 50.", field="from"
        )
    senders: dict[int, PhoneNumber] = {}
    for item in items:
        try:
            e164 = to_e164(str(item))
        except InvalidNumber as exc:
            raise DomainError(ErrorCode.INVALID_NUMBER, f"'from': {exc}", field="from") from exc
        number = workspace_number(workspace.pk, e164)
        if number is None:
            raise DomainError(
                ErrorCode.UNKNOWN_SENDER_NUMBER,
                f"{e164} is not a phone number of this workspace.",
                field="from",
            )
        senders[number.pk] = number
    return list(senders.values())


def parse_body(workspace: Workspace, body: str) -> merge.Template:
    """The text's merge fields, each a built-in or a custom field some contact has; a text that
    can be longer than 1,600 characters after merge is refused."""
    if not body or not body.strip():
        raise DomainError(ErrorCode.INVALID_BODY, "The message body is empty.", field="body")
    try:
        template = merge.parse(body)
    except merge.TemplateError as exc:
        raise DomainError(ErrorCode.UNKNOWN_MERGE_FIELD, str(exc), field="body") from exc
    contacts = Contact.objects.filter(workspace=workspace)
    longest: dict[str, int] = {}
    for name in sorted(template.names):
        if name in ("first_name", "last_name", "name"):
            longest[name] = contacts.aggregate(n=Max(Length("name")))["n"] or 0
        elif name == "phone":
            longest[name] = 16
        elif contacts.filter(fields__has_key=name).exists():
            longest[name] = contacts.aggregate(n=Max(Length(KT(f"fields__{name}"))))["n"] or 0
        else:
            raise DomainError(
                ErrorCode.UNKNOWN_MERGE_FIELD,
                f"{{{name}}} is not a merge field: use first_name, last_name, name, phone or a "
                "custom field of your contacts (add |fallback for contacts without it).",
                field="body",
            )
    most = merge.longest(template, longest)
    if most > MAX_BODY_LENGTH:
        raise DomainError(
            ErrorCode.BODY_TOO_LONG,
            f"After merge the text can be {most} characters (the longest values of your "
            f"contacts); {MAX_BODY_LENGTH} at most.",
            field="body",
        )
    return template


# ---------------------------------------------------------------- create and prepare


@dataclass(frozen=True)
class Draft:
    """A broadcast checked but not stored: what the composer previews."""

    workspace: Workspace
    template: merge.Template
    body: str
    senders: list[PhoneNumber]
    audience: audiences.Audience
    audience_raw: dict
    send_at: datetime | None = None  # None: now


def broadcast_draft(
    *,
    workspace: Workspace,
    from_: str | list[str],
    body: str,
    audience: Any,
    send_at: datetime | None = None,
) -> Draft:
    """Checks a broadcast's input (DomainError naming the field)."""
    senders = resolve_senders(workspace, from_)
    template = parse_body(workspace, body)
    parsed = parse_audience(audience, workspace)
    return Draft(workspace, template, body, senders, parsed, audience, send_at)


def audience_counts(draft: Draft) -> dict[str, int]:
    """What the audience would give at the draft's time of sending, deferred included."""
    return audiences.preview_counts(
        workspace=draft.workspace,
        rules=compliance_settings_for(draft.workspace),
        senders=[s.pk for s in draft.senders],
        audience=draft.audience,
        at=draft.send_at,
    )


@transaction.atomic
def broadcast_create(
    *,
    workspace: Workspace,
    from_: str | list[str],
    body: str,
    audience: Any,
    send_at: datetime | None = None,
    name: str = "",
    created_by: Any = None,
) -> Broadcast:
    """Stores a broadcast, `scheduled`, and queues its preparation (now, or at `send_at` by the
    sweeper). An audience with nobody in it is refused (`empty_audience`)."""
    draft = broadcast_draft(
        workspace=workspace, from_=from_, body=body, audience=audience, send_at=send_at
    )
    if sum(audience_counts(draft).values()) == 0:
        raise DomainError(ErrorCode.EMPTY_AUDIENCE, "Nobody is in this audience.", field="audience")
    broadcast = Broadcast.objects.create(
        workspace=workspace,
        name=name.strip()[:200],
        body=body,
        senders=[s.pk for s in draft.senders],
        audience=audience,
        send_at=send_at,
        status=BroadcastStatus.SCHEDULED,
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    if send_at is None or send_at <= timezone.now():
        enqueue(Job.BROADCAST_PREPARE, broadcast.pk)
    return broadcast


def broadcast_prepare(*, broadcast_id: int) -> str:
    """A scheduled broadcast whose time has come: its recipients are resolved (set-based, in
    chunks, resumable), then it is `sending` and its first step queued. Idempotent."""
    broadcast = Broadcast.objects.select_related("workspace").filter(pk=broadcast_id).first()
    if broadcast is None or broadcast.status != BroadcastStatus.SCHEDULED:
        return broadcast.status if broadcast else "missing"
    if broadcast.send_at and broadcast.send_at > timezone.now():
        return "not yet"
    Broadcast.objects.filter(pk=broadcast.pk).update(stepped_at=timezone.now())
    if broadcast.resolved_at is None:
        rules = compliance_settings_for(broadcast.workspace)
        audiences.resolve(
            broadcast=broadcast,
            rules=rules,
            audience=parse_audience(broadcast.audience, broadcast.workspace),
        )
    with transaction.atomic():
        now = timezone.now()
        started = Broadcast.objects.filter(
            pk=broadcast.pk, status=BroadcastStatus.SCHEDULED
        ).update(
            status=BroadcastStatus.SENDING,
            resolved_at=now,
            started_at=now,
            stepped_at=now,
        )
        if started:
            _start_chains(broadcast.pk)
    return BroadcastStatus.SENDING if started else "changed meanwhile"


# ---------------------------------------------------------------- sending


def _start_chains(broadcast_id: int) -> None:
    """BROADCAST_STEP_CHAINS chains of steps: each hands over recipients the others have not
    locked, so that a large broadcast is not made by one process alone."""
    for _ in range(max(1, settings.BROADCAST_STEP_CHAINS)):
        enqueue(Job.BROADCAST_STEP, broadcast_id)


@dataclass(frozen=True)
class Step:
    """What one dispatch step did: recipients handed to the send path, and when to step again
    (None: the broadcast is finished, paused or cancelled)."""

    made: int
    again_in: float | None


def _window(senders: list[PhoneNumber]) -> int:
    rate = sum(max(1, s.messages_per_second) for s in senders)
    return max(MIN_WINDOW, min(MAX_WINDOW, math.ceil(rate * 2)))


def broadcast_step(*, broadcast_id: int) -> Step:
    """One step of a sending broadcast: settles the recipients whose message went out, hands the
    next recipients (up to the senders' pace for about two seconds, minus those still in flight)
    to the send path, and finishes the broadcast when nobody is left. Several steps may run at
    once (a swept task): each takes its recipients under row locks (skip locked), so a contact
    gets at most one message."""
    broadcast = Broadcast.objects.select_related("workspace").filter(pk=broadcast_id).first()
    if broadcast is not None and broadcast.status == BroadcastStatus.CANCELLED:
        # Texts queued before the cancel still go: their recipients are settled until none is
        # left in flight.
        settle(broadcast)
        left = BroadcastRecipient.objects.filter(
            broadcast=broadcast, status=RecipientStatus.QUEUED
        ).exists()
        return Step(0, 1.0 if left else None)
    if broadcast is None or broadcast.status != BroadcastStatus.SENDING:
        return Step(0, None)
    now = timezone.now()
    Broadcast.objects.filter(pk=broadcast.pk).update(stepped_at=now)
    settle(broadcast)
    senders = {n.pk: n for n in PhoneNumber.objects.filter(pk__in=broadcast.senders)}
    recipients = BroadcastRecipient.objects.filter(broadcast=broadcast)
    in_flight = dict(
        recipients.filter(status=RecipientStatus.QUEUED)
        .values_list("phone_number_id")
        .annotate(n=Count("id"))
        .values_list("phone_number_id", "n")
    )
    made = 0
    # Each sender's own window: a slow number of a pool never holds back a fast one.
    for sender in senders.values():
        budget = _window([sender]) - in_flight.get(sender.pk, 0)
        if budget > 0:
            made += _hand_over(broadcast, sender, budget)
    waiting = recipients.filter(
        status__in=(RecipientStatus.PENDING, RecipientStatus.QUEUED)
    ).exists()
    if not waiting:
        next_deferred = (
            recipients.filter(status=RecipientStatus.DEFERRED)
            .order_by("not_before")
            .values_list("not_before", flat=True)
            .first()
        )
        if next_deferred is None:
            finished = Broadcast.objects.filter(
                pk=broadcast.pk, status=BroadcastStatus.SENDING
            ).update(status=BroadcastStatus.DONE, finished_at=timezone.now())
            logger.info("broadcast %s done (%s)", broadcast.pk, bool(finished))
            return Step(made, None)
        return Step(made, max(1.0, min(60.0, (next_deferred - timezone.now()).total_seconds())))
    # Each window holds about two seconds of its sender's pace: step again when about half has
    # gone.
    return Step(made, 1.0)


def _hand_over(broadcast: Broadcast, sender: PhoneNumber, budget: int) -> int:
    """Makes the messages of the next `budget` recipients of `sender`, each through
    `message_send`, in one transaction with the recipients' new status: a worker that dies here
    leaves them pending, with no message."""
    template = merge.parse(broadcast.body)
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            BroadcastRecipient.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(broadcast=broadcast, phone_number=sender)
            .filter(
                Q(status=RecipientStatus.PENDING)
                | Q(status=RecipientStatus.DEFERRED, not_before__lte=now)
            )
            .select_related("contact", "phone_number")
            .order_by("id")[:budget]
        )
        for row in rows:
            contact = row.contact
            body = merge.render(
                template,
                merge.values_of(
                    name=contact.name if contact else "",
                    phone=row.phone,
                    fields=contact.fields if contact else {},
                ),
            )
            row.updated_at = now
            if not body.strip():
                row.status, row.error_code = RecipientStatus.FAILED, ErrorCode.INVALID_BODY
                row.detail = "The text is empty after merge."
                continue
            try:
                message = _send(broadcast, row, body)
            except DomainError as refusal:
                _refused(row, refusal, now)
            else:
                row.status, row.message, row.error_code, row.detail = (
                    RecipientStatus.QUEUED,
                    message,
                    "",
                    "",
                )
        BroadcastRecipient.objects.bulk_update(
            rows, ["status", "message", "error_code", "detail", "not_before", "updated_at"]
        )
    return len(rows)


def _send(broadcast: Broadcast, row: BroadcastRecipient, body: str) -> Message:
    """The one call into the send path (policy, signature, store, queue): kept here alone."""
    assert row.phone_number is not None  # eligible recipients have their sender
    return message_send(
        workspace=broadcast.workspace,
        from_number=row.phone_number.number,
        to=row.phone,
        body=body,
        source=MessageSource.BROADCAST,
        sent_by=broadcast.created_by,
    )


_REFUSALS = {
    ErrorCode.RECIPIENT_OPTED_OUT: RecipientStatus.EXCLUDED_OPTED_OUT,
    ErrorCode.CONSENT_REQUIRED: RecipientStatus.EXCLUDED_NO_CONSENT,
    ErrorCode.CONSENT_PENDING: RecipientStatus.EXCLUDED_NO_CONSENT,
    ErrorCode.INVALID_NUMBER: RecipientStatus.EXCLUDED_INVALID,
}


def _refused(row: BroadcastRecipient, refusal: DomainError, now: datetime) -> None:
    """What the send policy's refusal makes of a recipient: excluded (opted out since, no
    consent, invalid), deferred to their window (quiet hours: tried again when it opens), or
    failed (content, length)."""
    row.error_code, row.detail = refusal.code.value, refusal.detail[:1000]
    if refusal.code == ErrorCode.QUIET_HOURS:
        retry = refusal.extra.get("retry_after")
        when = parse_datetime(retry) if isinstance(retry, str) else retry
        row.status = RecipientStatus.DEFERRED
        row.not_before = when if isinstance(when, datetime) else now + DEFER_WITHOUT_RETRY_AFTER
        return
    row.status = _REFUSALS.get(refusal.code, RecipientStatus.FAILED)


_FAILED = (MessageStatus.FAILED, MessageStatus.UNDELIVERED)


def settle(broadcast: Broadcast) -> int:
    """Recipients whose message has gone to the carrier become `sent`, those whose message was
    refused or failed `failed` (or `excluded_opted_out`: a STOP that arrived while it waited);
    only the recipients in flight are read (at most a window)."""
    rows = list(
        BroadcastRecipient.objects.filter(
            broadcast=broadcast, status=RecipientStatus.QUEUED
        ).select_related("message")
    )
    changed = []
    now = timezone.now()
    for row in rows:
        message = row.message
        if message is None:
            row.status, row.error_code = RecipientStatus.FAILED, "message_deleted"
        elif message.status in _FAILED:
            row.status = (
                RecipientStatus.EXCLUDED_OPTED_OUT
                if message.error_code == ErrorCode.RECIPIENT_OPTED_OUT
                else RecipientStatus.FAILED
            )
            row.error_code, row.detail = message.error_code, message.error_message[:1000]
        elif message.status in (MessageStatus.SENT, MessageStatus.DELIVERED) or (
            message.status == MessageStatus.SENDING and message.provider_sid
        ):
            row.status = RecipientStatus.SENT
        else:
            continue
        row.updated_at = now
        changed.append(row)
    BroadcastRecipient.objects.bulk_update(
        changed, ["status", "error_code", "detail", "updated_at"]
    )
    return len(changed)


# ---------------------------------------------------------------- pause, resume, cancel


def _locked(broadcast: Broadcast) -> Broadcast:
    return Broadcast.objects.select_for_update().get(pk=broadcast.pk)


def _refuse(broadcast: Broadcast, action: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_TRANSITION,
        f"This broadcast is {broadcast.status}: it cannot be {action}.",
        status=broadcast.status,
    )


@transaction.atomic
def broadcast_pause(*, broadcast: Broadcast) -> Broadcast:
    """Stops handing recipients to the send path; the texts already queued (about two seconds'
    worth) still go."""
    locked = _locked(broadcast)
    if locked.status not in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING):
        raise _refuse(locked, "paused")
    locked.status = BroadcastStatus.PAUSED
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def broadcast_resume(*, broadcast: Broadcast) -> Broadcast:
    locked = _locked(broadcast)
    if locked.status != BroadcastStatus.PAUSED:
        raise _refuse(locked, "resumed")
    if locked.resolved_at is None:
        locked.status = BroadcastStatus.SCHEDULED
        enqueue(Job.BROADCAST_PREPARE, locked.pk)
    else:
        locked.status = BroadcastStatus.SENDING
        _start_chains(locked.pk)
    locked.stepped_at = timezone.now()
    locked.save(update_fields=["status", "stepped_at"])
    return locked


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast) -> Broadcast:
    """Nobody else gets it: the recipients not yet handed to the send path are `cancelled`."""
    locked = _locked(broadcast)
    if locked.status not in ACTIVE:
        raise _refuse(locked, "cancelled")
    locked.status, locked.finished_at = BroadcastStatus.CANCELLED, timezone.now()
    locked.save(update_fields=["status", "finished_at"])
    BroadcastRecipient.objects.filter(
        broadcast=locked, status__in=(RecipientStatus.PENDING, RecipientStatus.DEFERRED)
    ).update(status=RecipientStatus.CANCELLED, updated_at=timezone.now())
    return locked


# ---------------------------------------------------------------- the sweeper


@dataclass(frozen=True)
class Lost:
    prepare: list[int]
    step: list[int]


def lost_broadcasts(*, older_than_seconds: int) -> Lost:
    """Scheduled broadcasts due (and not prepared for `older_than_seconds`), and sending ones
    whose last step is that old: their task was lost (or they were scheduled for later)."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    stale = Q(stepped_at__isnull=True) | Q(stepped_at__lt=cutoff)
    due = Broadcast.objects.filter(status=BroadcastStatus.SCHEDULED).filter(
        Q(send_at__isnull=True) | Q(send_at__lte=now)
    )
    return Lost(
        prepare=list(
            due.filter(stale | Q(send_at__isnull=False, stepped_at__isnull=True)).values_list(
                "id", flat=True
            )[:100]
        ),
        step=list(
            Broadcast.objects.filter(status=BroadcastStatus.SENDING)
            .filter(stale)
            .values_list("id", flat=True)[:100]
        ),
    )


def tag_exists(workspace: Workspace, name: str) -> bool:
    return Tag.objects.filter(workspace=workspace, name=name).exists()
