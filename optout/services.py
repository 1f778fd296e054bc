"""Writes on consent: opt-outs, opt-ins, keywords and settings, each in one transaction."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction

from compliance_center.dispatch import Job, enqueue
from compliance_center.errors import DomainError, ErrorCode
from workspaces.models import Contact, PhoneNumber, Workspace
from workspaces.services import audit_record, contact_get_or_create

from . import crm_http, scope
from .defaults import BUILTIN_KEYWORDS, MAX_CUSTOM_KEYWORDS_PER_KIND
from .keywords import OPT_IN, OPT_OUT, could_be_keyword, is_valid_keyword, normalize
from .models import (
    ComplianceSettings,
    ConsentEvent,
    ConsentKind,
    ConsentSource,
    Keyword,
    OptOut,
    WebhookDelivery,
    WebhookEndpoint,
)
from .selectors import InboundDecision, compliance_settings_for, keyword_rules_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class TextEvidence:
    """The contact's own text behind a consent event, copied into the ledger (which outlives any
    message retention): its words, its carrier id and when it arrived."""

    body: str
    message_sid: str = ""
    received_at: datetime | None = None


def _numbers_covered(
    workspace: Workspace, phone_number: PhoneNumber, event_scope: str
) -> list[str]:
    if event_scope == scope.INBOX:
        return list(workspace.phone_numbers.values_list("number", flat=True))
    return [phone_number.number]


def _queue_crm_notifications(event: ConsentEvent) -> None:
    for endpoint in event.workspace.webhook_endpoints.filter(is_active=True):
        delivery, created = WebhookDelivery.objects.get_or_create(endpoint=endpoint, event=event)
        if created:
            enqueue(Job.WEBHOOK_DELIVERY_ATTEMPT, delivery.id)


@transaction.atomic
def webhook_endpoint_create(
    *, workspace: Workspace, url: str, is_active: bool = True, actor: Any = None, via: str = ""
) -> WebhookEndpoint:
    """A CRM endpoint notified of the workspace's consent events, with a new signing secret.
    Refuses (url_not_allowed) a URL notifications may not go to: in production anything but
    https to a host whose addresses are all public (optout/url_rules.py); every delivery checks
    the address it connects to again."""
    url = url.strip()
    refusal = crm_http.refusal_at_creation(url, allow_private=settings.CRM_ALLOW_PRIVATE_URLS)
    if refusal:
        raise DomainError(ErrorCode.URL_NOT_ALLOWED, refusal, field="url")
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace, url=url, secret=secrets.token_hex(24), is_active=is_active
    )
    if actor is not None or via:
        audit_record(
            workspace=workspace,
            actor=actor,
            via=via,
            action="crm_endpoint_added",
            field=endpoint.url,
            new_value="Enabled" if is_active else "Disabled",
        )
    return endpoint


@transaction.atomic
def webhook_endpoint_set_active(
    *, endpoint: WebhookEndpoint, is_active: bool, actor: Any = None, via: str = ""
) -> WebhookEndpoint:
    """Turns an endpoint's notifications on or off (events while off are not sent later)."""
    if endpoint.is_active != is_active:
        endpoint.is_active = is_active
        endpoint.save(update_fields=["is_active"])
        audit_record(
            workspace=endpoint.workspace,
            actor=actor,
            via=via,
            action="crm_endpoint_enabled" if is_active else "crm_endpoint_disabled",
            field=endpoint.url,
            old_value="Disabled" if is_active else "Enabled",
            new_value="Enabled" if is_active else "Disabled",
        )
    return endpoint


@transaction.atomic
def webhook_endpoint_remove(*, endpoint: WebhookEndpoint, actor: Any = None, via: str = "") -> None:
    """Deletes an endpoint and its delivery log; deliveries still pending are not sent."""
    audit_record(
        workspace=endpoint.workspace,
        actor=actor,
        via=via,
        action="crm_endpoint_removed",
        field=endpoint.url,
    )
    endpoint.delete()


@transaction.atomic
def webhook_test_send(
    *, endpoint: WebhookEndpoint, actor: Any = None, via: str = ""
) -> WebhookDelivery:
    """A signed test notification to the endpoint (enabled or not), through the same delivery
    task, signature and address checks as a consent event's."""
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, kind=WebhookDelivery.Kind.TEST)
    audit_record(
        workspace=endpoint.workspace,
        actor=actor,
        via=via,
        action="crm_test_sent",
        field=endpoint.url,
        new_value=f"Delivery #{delivery.id}",
    )
    enqueue(Job.WEBHOOK_DELIVERY_ATTEMPT, delivery.id)
    return delivery


@transaction.atomic
def webhook_delivery_resend(
    *, delivery: WebhookDelivery, actor: Any = None, via: str = ""
) -> WebhookDelivery:
    """Sends a delivered or failed notification again: the delivery is pending again and a new
    attempt is queued (the same event id, so that the CRM can tell it is the same event)."""
    locked = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint__workspace")
        .get(pk=delivery.pk)
    )
    if locked.status == WebhookDelivery.Status.PENDING:
        raise DomainError(
            ErrorCode.INVALID,
            "This delivery is still being attempted: wait for it to be delivered or to fail.",
        )
    old_status = locked.get_status_display()
    WebhookDelivery.objects.filter(pk=locked.pk).update(
        status=WebhookDelivery.Status.PENDING, last_error="", response_code=None
    )
    audit_record(
        workspace=locked.endpoint.workspace,
        actor=actor,
        via=via,
        action="crm_delivery_resent",
        field=locked.endpoint.url,
        old_value=f"Delivery #{locked.id}: {old_status}",
        new_value="Sent again",
    )
    enqueue(Job.WEBHOOK_DELIVERY_ATTEMPT, locked.id)
    locked.refresh_from_db()
    return locked


_SETTINGS = [f.name for f in ComplianceSettings._meta.concrete_fields]


def _consent_lock(*, workspace: Workspace, contact: Contact) -> ComplianceSettings:
    """Serialises consent changes of one contact (a STOP and a START arriving together) by
    locking the contact's row, and returns the workspace's settings.

    Not the settings row: a scope change rewrites no opt-out (the scope is applied when a send
    is checked), so an opt-out next to a scope change is the same as one just before it, and
    the opt-outs of a campaign's many contacts no longer queue for one workspace-wide lock
    (docs/decisions/0009-consent-lock-on-the-contact-row.md).
    """
    # One statement: the lock (of the contact's row only) and the settings joined to it.
    locked = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("workspace__compliance_settings")
        .only("id", "workspace__id", *(f"workspace__compliance_settings__{f}" for f in _SETTINGS))
        .order_by()
        .get(pk=contact.pk)
    )
    try:
        return locked.workspace.compliance_settings
    except ComplianceSettings.DoesNotExist:
        return compliance_settings_for(workspace)


@transaction.atomic(savepoint=False)  # all or nothing with the caller's transaction
def opt_out_record(
    *,
    workspace: Workspace,
    contact: Contact,
    phone_number: PhoneNumber,
    source: str,
    text: TextEvidence | None = None,
    actor: "User | None" = None,
    reason: str = "",
) -> ConsentEvent:
    """Blocks `contact` from `phone_number` under the scope in force, and logs the event."""
    settings = _consent_lock(workspace=workspace, contact=contact)
    existing = OptOut.objects.filter(
        workspace=workspace, contact=contact, phone_number=phone_number
    ).first()
    event_scope = scope.effective_scope(
        existing.scope if existing else None, settings.opt_out_scope
    )
    event = ConsentEvent.objects.create(
        workspace=workspace,
        contact=contact,
        kind=ConsentKind.OPT_OUT,
        source=ConsentSource(source),
        scope=event_scope,
        phone_number=phone_number,
        numbers=_numbers_covered(workspace, phone_number, event_scope),
        message_body=text.body if text else "",
        message_sid=text.message_sid if text else "",
        received_at=text.received_at if text else None,
        actor=actor,
        reason=reason,
    )
    # The contact's lock above serialises its consent changes: `existing` is still true here,
    # so a plain update or insert does (no savepoints of update_or_create).
    if existing:
        existing.scope, existing.source, existing.event = event_scope, source, event
        existing.save(update_fields=["scope", "source", "event"])
    else:
        OptOut.objects.create(
            workspace=workspace,
            contact=contact,
            phone_number=phone_number,
            scope=event_scope,
            source=source,
            event=event,
        )
    _queue_crm_notifications(event)
    return event


@transaction.atomic(savepoint=False)  # all or nothing with the caller's transaction
def opt_in_record(
    *,
    workspace: Workspace,
    contact: Contact,
    phone_number: PhoneNumber,
    source: str,
    text: TextEvidence | None = None,
    actor: "User | None" = None,
    reason: str = "",
    lift_all: bool = False,
) -> ConsentEvent:
    """Lifts what the contact's opt-in covers (see optout.scope.lifted_by_opt_in).

    `lift_all` lifts every opt-out of the contact in the workspace (an admin's lift with a reason).
    """
    settings = _consent_lock(workspace=workspace, contact=contact)
    event_scope = scope.INBOX if lift_all else settings.opt_out_scope
    rows = list(
        OptOut.objects.filter(workspace=workspace, contact=contact).select_related("phone_number")
    )
    lifted = scope.lifted_by_opt_in(
        [scope.ActiveOptOut(r.id, r.scope, r.phone_number.number) for r in rows],
        phone_number.number,
        event_scope,
    )
    event = ConsentEvent.objects.create(
        workspace=workspace,
        contact=contact,
        kind=ConsentKind.OPT_IN,
        source=ConsentSource(source),
        scope=event_scope,
        phone_number=phone_number,
        numbers=_numbers_covered(workspace, phone_number, event_scope),
        message_body=text.body if text else "",
        message_sid=text.message_sid if text else "",
        received_at=text.received_at if text else None,
        actor=actor,
        reason=reason,
    )
    OptOut.objects.filter(id__in=[o.id for o in lifted]).delete()
    _queue_crm_notifications(event)
    return event


def keyword_add(
    *,
    workspace: Workspace,
    kind: str,
    keyword: str,
    language: str = "",
    reply_text: str = "",
    actor: "User | None" = None,
) -> Keyword:
    word = keyword.strip()
    if not is_valid_keyword(word) or not could_be_keyword(word):
        raise DomainError(
            ErrorCode.INVALID_KEYWORD,
            "A keyword needs at least one letter or digit (64 at most).",
            field="keyword",
        )
    norm = normalize(word)
    for builtin_kind, words in BUILTIN_KEYWORDS.items():
        if norm in {normalize(w) for w in words}:
            raise DomainError(
                ErrorCode.KEYWORD_EXISTS,
                f"{word.upper()} is already a built-in {builtin_kind.replace('_', '-')} keyword.",
                field="keyword",
            )
    with transaction.atomic():
        # Lock the workspace's settings row: concurrent adds cannot both pass the limit.
        ComplianceSettings.objects.select_for_update().get(workspace=workspace)
        clash = Keyword.objects.filter(workspace=workspace, keyword=norm.upper()).first()
        if clash:
            raise DomainError(
                ErrorCode.KEYWORD_EXISTS,
                f"{norm.upper()} is already a custom {clash.get_kind_display().lower()} keyword.",
                field="keyword",
            )
        if Keyword.objects.filter(workspace=workspace, kind=kind).count() >= (
            MAX_CUSTOM_KEYWORDS_PER_KIND
        ):
            raise DomainError(
                ErrorCode.KEYWORD_LIMIT_REACHED,
                f"A workspace can have at most {MAX_CUSTOM_KEYWORDS_PER_KIND} custom "
                f"{kind.replace('_', '-')} keywords.",
                field="keyword",
            )
        try:
            created = Keyword.objects.create(
                workspace=workspace,
                kind=kind,
                keyword=norm.upper(),
                language=language.strip(),
                reply_text=reply_text.strip(),
            )
        except IntegrityError as exc:
            raise DomainError(ErrorCode.KEYWORD_EXISTS, f"{norm.upper()} already exists.") from exc
        audit_record(
            workspace=workspace,
            actor=actor,
            action="keyword_added",
            field=kind,
            new_value=created.keyword,
        )
    keyword_rules_changed(workspace.pk)
    return created


@transaction.atomic
def keyword_remove(*, keyword: Keyword, actor: "User | None" = None) -> None:
    audit_record(
        workspace=keyword.workspace,
        actor=actor,
        action="keyword_removed",
        field=keyword.kind,
        old_value=keyword.keyword,
    )
    keyword.delete()
    keyword_rules_changed(keyword.workspace_id)


@dataclass(frozen=True)
class SettingsChange:
    field: str
    old: object
    new: object


@transaction.atomic
def compliance_settings_update(
    *, workspace: Workspace, actor: Any = None, via: str = "", **changes: Any
) -> list[SettingsChange]:
    """Applies `changes`, writes one audit entry per changed field, returns what changed."""
    settings = ComplianceSettings.objects.select_for_update().get(workspace=workspace)
    done = []
    for field, value in changes.items():
        old = getattr(settings, field)
        if old != value:
            setattr(settings, field, value)
            done.append(SettingsChange(field, old, value))
    if done:
        settings.full_clean(exclude=["workspace"])
        settings.save()
        for change in done:
            audit_record(
                workspace=workspace,
                actor=actor,
                via=via,
                action="setting_changed",
                field=change.field,
                old_value=change.old,
                new_value=change.new,
            )
    return done


# ---------------------------------------------------------------- Compliance Center actions


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            ErrorCode.REASON_REQUIRED, "Give a reason: it is kept in the ledger.", field="reason"
        )
    return reason


@transaction.atomic
def opt_out_manual(
    *,
    workspace: Workspace,
    contact_phone: str,
    phone_number: PhoneNumber,
    actor: "User | None",
    reason: str,
) -> ConsentEvent:
    """An admin blocks a contact by hand (source `agent`), with a reason, and audits it.

    `contact_phone` is E.164; the contact is created when the workspace has never texted them.
    """
    reason = _require_reason(reason)
    if phone_number.workspace_id != workspace.id:
        raise DomainError(
            ErrorCode.UNKNOWN_NUMBER, "Pick a number of this workspace.", field="phone_number"
        )
    contact = contact_get_or_create(workspace=workspace, phone=contact_phone)
    event = opt_out_record(
        workspace=workspace,
        contact=contact,
        phone_number=phone_number,
        source=ConsentSource.AGENT,
        actor=actor,
        reason=reason,
    )
    where = "every number" if event.scope == scope.INBOX else phone_number.number
    audit_record(
        workspace=workspace,
        actor=actor,
        action="opt_out_recorded",
        field=contact.phone,
        new_value=f"Blocked from {where} (made on {phone_number.number}). Reason: {reason}",
    )
    return event


@transaction.atomic
def opt_out_api(
    *, workspace: Workspace, contact_phone: str, phone_number: PhoneNumber, reason: str = ""
) -> OptOut:
    """An API client records an opt-out (source `api`); the contact is created if new."""
    contact = contact_get_or_create(workspace=workspace, phone=contact_phone)
    opt_out_record(
        workspace=workspace,
        contact=contact,
        phone_number=phone_number,
        source=ConsentSource.API,
        reason=reason,
    )
    return OptOut.objects.select_related("contact", "phone_number", "event").get(
        workspace=workspace, contact=contact, phone_number=phone_number
    )


@transaction.atomic
def opt_out_lift(
    *, workspace: Workspace, contact: Contact, actor: "User | None", reason: str
) -> ConsentEvent:
    """An admin lifts every opt-out of a contact, only with a recorded reason, and audits it."""
    reason = _require_reason(reason)
    _consent_lock(workspace=workspace, contact=contact)
    rows = list(
        OptOut.objects.filter(workspace=workspace, contact=contact)
        .select_related("phone_number")
        .order_by("-created_at")
    )
    if not rows:
        raise DomainError(ErrorCode.NOT_OPTED_OUT, f"{contact.phone} is not on the block list.")
    event = opt_in_record(
        workspace=workspace,
        contact=contact,
        phone_number=rows[0].phone_number,
        source=ConsentSource.AGENT,
        actor=actor,
        reason=reason,
        lift_all=True,
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="opt_out_lifted",
        field=contact.phone,
        old_value="Blocked on " + ", ".join(r.phone_number.number for r in rows),
        new_value=f"Lifted. Reason: {reason}",
    )
    return event


def inbound_consent_record(
    *,
    workspace: Workspace,
    contact: Contact,
    phone_number: PhoneNumber,
    decision: InboundDecision,
    text: TextEvidence,
) -> ConsentEvent | None:
    """Records what a contact's own text changes (an opt-out or an opt-in by keyword), in the
    caller's transaction; None for a text that changes no consent."""
    if decision.kind == OPT_OUT:
        record = opt_out_record
    elif decision.kind == OPT_IN:
        record = opt_in_record
    else:
        return None
    return record(
        workspace=workspace,
        contact=contact,
        phone_number=phone_number,
        source=ConsentSource.KEYWORD,
        text=text,
    )
