"""Reads for the agent inbox and the phone simulator, starting from the request's workspace."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from compliance_center import segments
from compliance_center.phone import InvalidNumber, pretty, to_e164
from compliance_center.segments import MAX_BODY_LENGTH
from optout import scope, signature, wording
from optout.models import ConsentEvent, ConsentKind, ConsentSource, OptOut, RevocationReview
from optout.selectors import (
    Block,
    Consent,
    block_evidence,
    block_for,
    compliance_settings_for,
    consent_status,
    event_evidence,
)
from optout.send_preview import SendPreview, send_preview
from workspaces.models import Contact, PhoneNumber
from workspaces.selectors import contact_search
from workspaces.tenancy import get_for_workspace_or_404

from .models import (
    Conversation,
    Direction,
    InboundMessage,
    Message,
    MessageSource,
    MessageStatus,
)

# ---------------------------------------------------------------- conversation list


@dataclass(frozen=True)
class ConversationRow:
    conversation: Conversation
    contact_label: str
    contact_phone: str  # formatted
    number_label: str  # "Sales · (415) 555-0100"
    number_short: str  # "Sales", or the number when it has no label
    last_body: str
    last_direction: str
    last_automatic: bool
    last_at: datetime | None
    unread: int
    opted_out: bool
    to_review: bool = False  # a text of theirs may revoke consent: a person must decide


def number_label(number: PhoneNumber) -> str:
    return f"{number.label} · {pretty(number.number)}" if number.label else pretty(number.number)


def contact_label(contact: Contact) -> str:
    return contact.name or pretty(contact.phone)


def phone_numbers_of(workspace: Any) -> list[PhoneNumber]:
    return list(PhoneNumber.objects.for_workspace(workspace).order_by("number"))


def _blocked_pairs(workspace: Any, conversations: list[Conversation]) -> set[int]:
    """Ids of the conversations whose contact is blocked from the conversation's number."""
    contact_ids = {c.contact_id for c in conversations}
    if not contact_ids:
        return set()
    workspace_scope = compliance_settings_for(workspace).opt_out_scope
    by_contact: dict[int, list[scope.ActiveOptOut]] = {}
    for row in OptOut.objects.filter(workspace=workspace, contact_id__in=contact_ids).values(
        "id", "contact_id", "scope", "phone_number__number"
    ):
        by_contact.setdefault(row["contact_id"], []).append(
            scope.ActiveOptOut(row["id"], row["scope"], row["phone_number__number"])
        )
    return {
        c.id
        for c in conversations
        if scope.blocking(by_contact.get(c.contact_id, []), c.phone_number.number, workspace_scope)
    }


def conversation_list(
    *,
    workspace: Any,
    number_id: int | None = None,
    q: str = "",
    state: str = "",
    limit: int = 200,
) -> list[ConversationRow]:
    """The inbox list: newest first, optionally one number, a search, opted-out or not."""
    last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
    qs = (
        Conversation.objects.filter(workspace=workspace)
        .select_related("contact", "phone_number")
        .annotate(
            last_body=Subquery(last.values("body")[:1]),
            last_direction=Subquery(last.values("direction")[:1]),
            last_source=Subquery(last.values("source")[:1]),
        )
        .order_by("-last_message_at", "-id")
    )
    if number_id:
        qs = qs.filter(phone_number_id=number_id)
    if q.strip():
        qs = qs.filter(contact_search(q, prefix="contact__"))
    conversations = list(qs[:limit])
    blocked = _blocked_pairs(workspace, conversations)
    reviews = set(
        RevocationReview.objects.filter(
            workspace=workspace,
            status=RevocationReview.Status.OPEN,
            contact_id__in={c.contact_id for c in conversations},
        ).values_list("contact_id", "phone_number_id")
    )
    rows = [
        ConversationRow(
            conversation=c,
            contact_label=contact_label(c.contact),
            contact_phone=pretty(c.contact.phone),
            number_label=number_label(c.phone_number),
            number_short=c.phone_number.label or pretty(c.phone_number.number),
            last_body=c.last_body or "",
            last_direction=c.last_direction or "",
            last_automatic=c.last_source == MessageSource.SYSTEM,
            last_at=c.last_message_at,
            unread=c.unread_count,
            opted_out=c.id in blocked,
            to_review=(c.contact_id, c.phone_number_id) in reviews,
        )
        for c in conversations
    ]
    if state == "opted_out":
        rows = [r for r in rows if r.opted_out]
    elif state == "active":
        rows = [r for r in rows if not r.opted_out]
    return rows


def conversation_get(*, workspace: Any, pk: int) -> Conversation:
    """A conversation of this workspace, or 404: ids of other workspaces leak nothing."""
    return get_for_workspace_or_404(
        Conversation.objects.select_related("contact", "phone_number", "workspace"),
        workspace,
        pk=pk,
    )


# ---------------------------------------------------------------- thread


@dataclass(frozen=True)
class ThreadItem:
    kind: str  # "message", "event" or "review"
    at: datetime
    message: Message | None = None
    event: ConsentEvent | None = None
    text: str = ""  # for events: the sentence shown inline
    review: RevocationReview | None = None


def event_sentence(event: ConsentEvent) -> str:
    """'Contact replied STOP — opted out of all numbers of this workspace', and the like."""
    who = getattr(event.actor, "email", "") or "the API"
    if event.kind == ConsentKind.OPT_IN_REQUESTED:
        return f"Consent recorded by {who} ({event.reason}) — double opt-in request sent"
    if event.kind == ConsentKind.OPT_IN_EXPIRED:
        return "The double opt-in request expired without a YES"
    if event.kind == ConsentKind.NOT_A_REVOCATION:
        return f"Reviewed by {who}: not a revocation ({event.reason.removeprefix('Reviewed: ')})"
    if event.source == ConsentSource.REVOCATION and event.kind == ConsentKind.OPT_OUT:
        how = f"reviewed by {who}" if event.actor_id else "in the contact's own words"
        return f"Revocation ({how}) — opted out"
    numbers = event.numbers or ([event.phone_number.number] if event.phone_number else [])
    return wording.event_sentence(
        opted_out=event.kind == ConsentKind.OPT_OUT,
        event_scope=event.scope,
        numbers=numbers,
        evidence=event_evidence(event),
    )


def thread_items(conversation: Conversation) -> list[ThreadItem]:
    """Messages both ways and the consent events that concern this conversation's number.

    What a contact's text caused reads in order under it: the consent event it made (opted out,
    opted back in) or the review it opened, then the automatic reply it got — the confirmation
    is stored a moment before the event, in the same transaction."""
    number = conversation.phone_number.number
    messages = list(
        conversation.messages.select_related("sent_by")
        .annotate(reply_to_sid=F("reply_to__message_sid"))
        .order_by("created_at", "id")
    )
    # Each item sorts under an anchor (its own time, or the text that caused it), then by rank.
    inbound_at = {
        m.provider_sid: m.created_at for m in messages if m.direction == Direction.INBOUND
    }
    keyed: list[tuple[tuple[datetime, int, int], ThreadItem]] = []
    for m in messages:
        caused_by = getattr(m, "reply_to_sid", None)
        # A reply sorts after what its text caused; any other message at its own time.
        key = (inbound_at[caused_by], 1, 3) if caused_by in inbound_at else (m.created_at, 0, m.id)
        keyed.append((key, ThreadItem("message", m.created_at, message=m)))
    for event in ConsentEvent.objects.filter(
        workspace_id=conversation.workspace_id, contact=conversation.contact
    ).select_related("actor", "phone_number"):
        if event.phone_number_id == conversation.phone_number_id or number in (event.numbers or []):
            at = inbound_at.get(event.message_sid) if event.message_sid else None
            key = (at, 1, 1) if at else (event.created_at, 1, 0)
            keyed.append(
                (
                    key,
                    ThreadItem("event", event.created_at, event=event, text=event_sentence(event)),
                )
            )
    for review in RevocationReview.objects.filter(
        workspace_id=conversation.workspace_id,
        contact=conversation.contact,
        phone_number=conversation.phone_number,
        status=RevocationReview.Status.OPEN,
    ):
        at = inbound_at.get(review.message_sid)
        key = (at, 1, 2) if at else (review.received_at, 1, 0)
        keyed.append((key, ThreadItem("review", review.received_at, review=review)))
    keyed.sort(key=lambda pair: pair[0])
    return [item for _, item in keyed]


def consent_of(conversation: Conversation) -> Consent:
    """The contact's consent to be texted from this conversation's number (the thread header):
    opted in, double opt-in pending, opted out, or no consent on record."""
    return consent_status(
        workspace_id=conversation.workspace_id,
        contact_phone=conversation.contact.phone,
        number=conversation.phone_number,
    )


# ---------------------------------------------------------------- opt-out banner


@dataclass(frozen=True)
class Banner:
    block: Block
    when: datetime
    how: str
    scope_text: str
    refusal: str  # the server's refusal sentence, shown on the disabled composer too


def banner_for(conversation: Conversation) -> Banner | None:
    """The opt-out banner when the contact is blocked from this conversation's number."""
    block = block_for(
        workspace_id=conversation.workspace_id,
        contact_phone=conversation.contact.phone,
        number=conversation.phone_number.number,
    )
    if block is None:
        return None
    return Banner(
        block=block,
        when=block.created_at,
        how=wording.how_opted_out(block_evidence(block), block.number),
        scope_text=wording.scope_sentence(
            opt_out_scope=block.scope, workspace_scope=block.workspace_scope, number=block.number
        ),
        refusal=block.refusal,
    )


# ---------------------------------------------------------------- composer preview


@dataclass(frozen=True)
class ComposerPreview:
    final: str
    info: segments.SegmentInfo
    chars: int
    signed: bool
    signature_text: str
    signature_mode: str
    signature_note: str
    non_gsm: str  # the first character that forces UCS-2, if any
    too_long: bool
    empty: bool = False  # nothing typed yet: no count (the signature alone is not a message)
    policy: SendPreview | None = None  # what the send policy would say now (None: no recipient)

    @property
    def refusal(self) -> str:
        """The refusal to show in the composer; an opted-out contact's is the banner's."""
        if self.policy is None or self.policy.blocked:
            return ""
        return self.policy.refusal


def _first_non_gsm(text: str) -> str:
    for ch in text:
        if ch not in segments.GSM7_BASIC and ch not in segments.GSM7_EXTENSION:
            return ch
    return ""


def composer_preview(
    *,
    workspace: Any,
    conversation: Conversation | None,
    body: str,
    sender: PhoneNumber | None = None,
    recipient: str = "",
) -> ComposerPreview:
    """What message_send would store for `body` (the same compose rule, counted as sent) and,
    with a recipient, what the send policy would answer now (optout.send_preview: opted out,
    consent, content, the recipient's sending window, warnings)."""
    compliance = compliance_settings_for(workspace)
    if conversation is not None:
        sender, recipient = conversation.phone_number, conversation.contact.phone
    conversation_signed = bool(
        conversation and conversation.messages.filter(signature_applied=True).exists()
    )
    composed = signature.compose(
        body=body if body.strip() else "x",  # an empty draft still says whether it is signed
        mode=compliance.signature_mode,
        signature=compliance.signature_text,
        conversation_signed=conversation_signed,
    )
    signed = composed.signed
    final = composed.final if body.strip() else ""
    mode = compliance.signature_mode
    if mode == signature.OFF or not compliance.signature_text.strip():
        note = "No signature: the opt-out signature is off for this workspace."
    elif mode == signature.FIRST_IN_CONVERSATION:
        note = (
            "Signature appended once per conversation: this is the first signed message."
            if signed
            else "No signature: it was already sent once in this conversation."
        )
    elif signed:
        note = "Signature appended to every sent message."
    else:
        note = "No signature: the message already ends with it."
    policy = None
    if sender is not None and recipient:
        policy = send_preview(
            workspace_id=workspace.pk,
            rules=compliance,
            sender=sender,
            recipient=recipient,
            body=body,
            now=timezone.now(),
        )
    info = segments.count(final)
    return ComposerPreview(
        final=final,
        info=info,
        chars=len(final),
        signed=signed,
        signature_text=compliance.signature_text.strip(),
        signature_mode=compliance.get_signature_mode_display(),
        signature_note=note,
        non_gsm=_first_non_gsm(final),
        too_long=len(final) > MAX_BODY_LENGTH,
        empty=not body.strip(),
        policy=policy,
    )


def recipient_of(raw: str) -> str:
    """The E.164 number typed in New conversation, or "" while it is not a whole number yet."""
    try:
        return to_e164(raw.strip()) if raw and raw.strip() else ""
    except InvalidNumber:
        return ""


def conversation_for(*, workspace: Any, number: PhoneNumber | None, to: str) -> Conversation | None:
    """The existing conversation of `number` with the contact `to` (any format), if there is one."""
    if number is None:
        return None
    try:
        e164 = to_e164(to)
    except InvalidNumber:
        return None
    return (
        Conversation.objects.filter(workspace=workspace, phone_number=number, contact__phone=e164)
        .select_related("contact", "phone_number")
        .first()
    )


# ---------------------------------------------------------------- phone simulator


def phone_thread(*, workspace: Any, contact_phone: str, number: str) -> list[Message]:
    """What the simulated phone shows: the contact's texts and what reached it from `number`."""
    return list(
        Message.objects.filter(
            workspace=workspace,
            conversation__contact__phone=contact_phone,
            conversation__phone_number__number=number,
        )
        .filter(
            Q(direction=Direction.INBOUND)
            | Q(status__in=[MessageStatus.SENT, MessageStatus.DELIVERED])
        )
        .order_by("created_at", "id")
    )


def simulator_contacts(workspace: Any) -> list[tuple[str, str]]:
    """(E.164, label) of the workspace's contacts, for the simulator's picker."""
    return [
        (c.phone, f"{c.name} · {pretty(c.phone)}" if c.name else pretty(c.phone))
        for c in Contact.objects.filter(workspace=workspace).order_by("name", "phone")[:200]
    ]


# ---------------------------------------------------------------- dead letters


def dead_letters(*, workspace: Any) -> Any:
    """Inbound texts that failed to be processed too many times, newest first."""
    return (
        InboundMessage.objects.for_workspace(workspace)
        .filter(dead_at__isnull=False, processed_at__isnull=True)
        .select_related("phone_number")
        .order_by("-dead_at", "-id")
    )
