"""Set-based writes of consent for imports: opt-outs of many contacts (source `import`, one
ledger event each) and consent on record for many contacts, with the rules of the one-contact
services (optout/services.py: opt_out_record, consent_record) — in a few statements per chunk
instead of a dozen per row.

The same rules: the contacts' rows are locked (in id order) as `_consent_lock` does for one; a
contact already blocked from the number is left as it is (re-importing changes nothing); an
opt-out revokes the consent it covers; consent is never recorded for a contact who is opted
out from the number it covers (only their own START lifts an opt-out); consent already on
record is left as it is; under double opt-in the consent is pending and the request queued.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from compliance_center.dispatch import Job, enqueue
from workspaces.models import Contact, PhoneNumber, Workspace

from .. import scope
from ..models import (
    ConsentEvent,
    ConsentKind,
    ConsentSource,
    OptIn,
    OptInSource,
    OptOut,
    WebhookDelivery,
)
from ..selectors import compliance_settings_for


def _lock(contact_ids: list[int]) -> None:
    list(
        Contact.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(contact_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _active(workspace: Workspace, contact_ids: list[int]) -> dict[int, list[scope.ActiveOptOut]]:
    found: dict[int, list[scope.ActiveOptOut]] = defaultdict(list)
    for opt_out_id, contact_id, opt_scope, number in OptOut.objects.filter(
        workspace=workspace, contact_id__in=contact_ids
    ).values_list("id", "contact_id", "scope", "phone_number__number"):
        found[contact_id].append(scope.ActiveOptOut(opt_out_id, opt_scope, number))
    return found


def _notify(workspace: Workspace, events: list[ConsentEvent]) -> None:
    """The CRM notifications of these events (as `_queue_crm_notifications` does for one)."""
    endpoints = list(workspace.webhook_endpoints.filter(is_active=True))
    if not endpoints or not events:
        return
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=e, event=ev) for e in endpoints for ev in events],
        ignore_conflicts=False,
    )
    for delivery in deliveries:
        enqueue(Job.WEBHOOK_DELIVERY_ATTEMPT, delivery.pk)


@dataclass(frozen=True)
class OptOutItem:
    contact_id: int
    number: PhoneNumber
    reason: str


def opt_outs_import(
    *, workspace: Workspace, items: list[OptOutItem], actor: Any = None
) -> set[int]:
    """Blocks each contact from its number under the scope in force, source `import`, with a
    ledger event each; returns the contacts newly blocked (the others already were). In the
    caller's transaction."""
    if not items:
        return set()
    rules = compliance_settings_for(workspace)
    ids = [i.contact_id for i in items]
    _lock(ids)
    active = _active(workspace, ids)
    all_numbers = list(workspace.phone_numbers.values_list("number", flat=True))
    fresh = [
        i
        for i in items
        if scope.blocking(active.get(i.contact_id, []), i.number.number, rules.opt_out_scope)
        is None
    ]
    if not fresh:
        return set()
    events = ConsentEvent.objects.bulk_create(
        [
            ConsentEvent(
                workspace=workspace,
                contact_id=i.contact_id,
                kind=ConsentKind.OPT_OUT,
                source=ConsentSource.IMPORT,
                scope=rules.opt_out_scope,
                phone_number=i.number,
                numbers=all_numbers if rules.opt_out_scope == scope.INBOX else [i.number.number],
                actor=actor if getattr(actor, "pk", None) else None,
                reason=i.reason or "Imported from a block list.",
            )
            for i in fresh
        ]
    )
    revoked = Q(pk__in=[])
    for item in fresh:
        if rules.opt_out_scope == scope.INBOX:
            revoked |= Q(contact_id=item.contact_id)
        else:
            revoked |= Q(contact_id=item.contact_id) & (
                Q(phone_number=item.number) | Q(scope=scope.INBOX)
            )
    OptIn.objects.filter(workspace=workspace).filter(revoked).delete()
    OptOut.objects.bulk_create(
        [
            OptOut(
                workspace=workspace,
                contact_id=i.contact_id,
                phone_number=i.number,
                scope=e.scope,
                source=ConsentSource.IMPORT,
                event=e,
            )
            for i, e in zip(fresh, events, strict=True)
        ]
    )
    _notify(workspace, events)
    return {i.contact_id for i in fresh}


@dataclass(frozen=True)
class ConsentItem:
    contact_id: int
    line: int
    source: str
    evidence: str
    given_at: datetime | None


@dataclass(frozen=True)
class ConsentOutcome:
    recorded: set[int]  # lines whose consent was recorded
    refused: dict[int, str]  # line -> why not


def consents_import(
    *, workspace: Workspace, items: list[ConsentItem], number: PhoneNumber, actor: Any = None
) -> ConsentOutcome:
    """Records each contact's consent for `number` (or every number, under inbox scope) with its
    evidence; in the caller's transaction."""
    if not items:
        return ConsentOutcome(set(), {})
    rules = compliance_settings_for(workspace)
    ids = [i.contact_id for i in items]
    _lock(ids)
    active = _active(workspace, ids)
    now = timezone.now()
    existing = {
        o.contact_id: o
        for o in OptIn.objects.filter(workspace=workspace, contact_id__in=ids, phone_number=number)
    }
    refused: dict[int, str] = {}
    todo: list[ConsentItem] = []
    expired: list[OptIn] = []
    for item in items:
        if scope.blocking(active.get(item.contact_id, []), number.number, rules.opt_out_scope):
            refused[item.line] = (
                "opted out: consent not recorded (only the contact's own START lifts an opt-out)"
            )
            continue
        current = existing.get(item.contact_id)
        if current is not None and (
            current.status == OptIn.Status.CONFIRMED
            or current.expires_at is None
            or current.expires_at > now
        ):
            continue  # the same consent is on record, or its request is waiting: unchanged
        if current is not None:
            expired.append(current)
        todo.append(item)
    if expired:
        OptIn.objects.filter(pk__in=[o.pk for o in expired]).delete()
    double = rules.double_opt_in_enabled
    events = ConsentEvent.objects.bulk_create(
        [
            ConsentEvent(
                workspace=workspace,
                contact_id=i.contact_id,
                kind=ConsentKind.OPT_IN_REQUESTED if double else ConsentKind.OPT_IN,
                source=ConsentSource.IMPORT,
                scope=rules.opt_out_scope,
                phone_number=number,
                numbers=[number.number],
                actor=actor if getattr(actor, "pk", None) else None,
                reason=f"{OptInSource(i.source).label}: {i.evidence}"
                + (f" (given {i.given_at:%Y-%m-%d})" if i.given_at else ""),
            )
            for i in todo
        ]
    )
    opt_ins = OptIn.objects.bulk_create(
        [
            OptIn(
                workspace=workspace,
                contact_id=i.contact_id,
                phone_number=number,
                scope=rules.opt_out_scope,
                status=OptIn.Status.PENDING if double else OptIn.Status.CONFIRMED,
                source=i.source,
                evidence=i.evidence + (f" (given {i.given_at:%Y-%m-%d})" if i.given_at else ""),
                recorded_by=actor if getattr(actor, "pk", None) else None,
                event=e,
                confirmed_at=None if double else (i.given_at or now),
                expires_at=now + timedelta(days=rules.double_opt_in_expiry_days)
                if double
                else None,
            )
            for i, e in zip(todo, events, strict=True)
        ]
    )
    if double:
        for opt_in in opt_ins:
            enqueue(Job.DOUBLE_OPT_IN_REQUEST_SEND, opt_in.pk)
    _notify(workspace, events)
    return ConsentOutcome({i.line for i in todo}, refused)
