"""Reads on broadcasts: their counts (from the recipients table, or a live preview before the
recipients are stored), the per-recipient report, the preview of the final text."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from compliance_center.segments import count as segment_count
from optout import signature
from optout.selectors import compliance_settings_for
from workspaces.models import Contact, Workspace

from . import audience as audiences
from . import merge
from .models import Broadcast, BroadcastRecipient, RecipientStatus
from .services import Draft, audience_counts, parse_audience

COUNT_KEYS = (
    "eligible",
    "excluded_opted_out",
    "excluded_no_consent",
    "excluded_invalid",
    "deferred",
    "sent",
    "failed",
)
# Eligible: those the broadcast is, was or will be trying to text.
_ELIGIBLE = (
    RecipientStatus.PENDING,
    RecipientStatus.QUEUED,
    RecipientStatus.SENT,
    RecipientStatus.FAILED,
    RecipientStatus.DEFERRED,
)


def counts_from(by_status: dict[str, int]) -> dict[str, int]:
    """The public counts from recipients per status; `queued` and `pending` (still to go) and
    `cancelled` and `total` ride along."""
    counts = {key: by_status.get(key, 0) for key in COUNT_KEYS}
    counts["eligible"] = sum(by_status.get(s, 0) for s in _ELIGIBLE)
    counts["pending"] = by_status.get(RecipientStatus.PENDING, 0)
    counts["queued"] = by_status.get(RecipientStatus.QUEUED, 0)
    counts["cancelled"] = by_status.get(RecipientStatus.CANCELLED, 0)
    counts["total"] = sum(by_status.values())
    return counts


def broadcast_counts(broadcast: Broadcast) -> dict[str, int]:
    """From the recipients table once recipients are being stored; before that (scheduled), what
    the audience would give now."""
    if broadcast.resolved_through == 0 and broadcast.resolved_at is None:
        try:
            audience = parse_audience(broadcast.audience, broadcast.workspace)
        except Exception:  # an audience stored before a rule changed: show nothing
            return counts_from({})
        return counts_from(
            audiences.preview_counts(
                workspace=broadcast.workspace,
                rules=compliance_settings_for(broadcast.workspace),
                senders=broadcast.senders,
                audience=audience,
                at=broadcast.send_at,
            )
        )
    rows = (
        BroadcastRecipient.objects.filter(broadcast=broadcast)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return counts_from(dict(rows))


@dataclass(frozen=True)
class Preview:
    """What the composer shows before sending."""

    counts: dict[str, int]
    sample_to: str
    text: str  # the final text for a sample contact, signature included
    chars: int
    segments: int
    encoding: str
    signed: bool
    cost_segments: int  # segments x eligible recipients


def preview(draft: Draft) -> Preview:
    counts = counts_from(audience_counts(draft))
    workspace = draft.workspace
    sample = _sample_contact(workspace, draft)
    values = (
        merge.values_of(name=sample.name, phone=sample.phone, fields=sample.fields)
        if sample
        else {}
    )
    rules = compliance_settings_for(workspace)
    composed = signature.compose(
        body=merge.render(draft.template, values),
        mode=rules.signature_mode,
        signature=rules.signature_text,
        conversation_signed=False,
    )
    info = segment_count(composed.final)
    return Preview(
        counts=counts,
        sample_to=sample.phone if sample else "",
        text=composed.final,
        chars=composed.chars,
        segments=info.segments,
        encoding=info.encoding,
        signed=composed.signed,
        cost_segments=info.segments * counts["eligible"],
    )


def _sample_contact(workspace: Workspace, draft: Draft) -> Contact | None:
    contacts = Contact.objects.filter(workspace=workspace).order_by("id")
    if draft.audience.kind == "numbers":
        valid, _ = audiences.split_numbers(list(draft.audience.numbers[:50]))
        return contacts.filter(phone__in=valid).first() or (
            Contact(workspace=workspace, phone=valid[0]) if valid else None
        )
    if draft.audience.kind == "tag":
        contacts = contacts.filter(
            contact_tags__tag__name=draft.audience.tag, contact_tags__tag__workspace=workspace
        )
    return contacts.first()


REPORT_HEADER = [
    "phone",
    "name",
    "status",
    "sender",
    "error_code",
    "detail",
    "message_id",
    "provider_sid",
    "updated_at",
]


def report_rows(broadcast: Broadcast, *, status: str = "") -> Iterator[list[Any]]:
    """One line per recipient, in order, for the report and its CSV (streamed by chunks)."""
    qs = (
        BroadcastRecipient.objects.filter(broadcast=broadcast)
        .select_related("contact", "phone_number", "message")
        .order_by("id")
    )
    if status:
        qs = qs.filter(status=status)
    for r in qs.iterator(chunk_size=2000):
        yield [
            r.phone,
            r.contact.name if r.contact else "",
            r.status,
            r.phone_number.number if r.phone_number else "",
            r.error_code,
            r.detail,
            r.message_id or "",
            r.message.provider_sid if r.message and r.message.provider_sid else "",
            r.updated_at.isoformat() if r.updated_at else "",
        ]


def recipients_page(
    broadcast: Broadcast, *, status: str = "", after: int = 0, size: int = 50
) -> tuple[list[BroadcastRecipient], int | None]:
    """A page of the report after the recipient id `after`, and the id to go on after."""
    qs = (
        BroadcastRecipient.objects.filter(broadcast=broadcast, id__gt=after)
        .select_related("contact", "phone_number", "message")
        .order_by("id")
    )
    if status:
        qs = qs.filter(status=status)
    rows = list(qs[: size + 1])
    return rows[:size], (rows[size - 1].id if len(rows) > size else None)
