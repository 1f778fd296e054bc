"""Writes on consent: opt-outs, opt-ins, keywords and settings, each in one transaction."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import phonenumbers
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from compliance_center.dispatch import Job, enqueue
from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import country_of, pretty
from compliance_center.segments import MAX_BODY_LENGTH
from workspaces.models import Contact, PhoneNumber, Workspace
from workspaces.services import audit_record, contact_get_or_create

from . import crm_http, replies, scope
from .deadlines import business_days_after
from .defaults import BUILTIN_KEYWORDS, MAX_CUSTOM_KEYWORD_LENGTH, MAX_CUSTOM_KEYWORDS_PER_KIND
from .keywords import OPT_IN, OPT_OUT, could_be_keyword, is_valid_keyword, normalize
from .models import (
    ComplianceSettings,
    ConsentEvent,
    ConsentKind,
    ConsentSource,
    Keyword,
    OptIn,
    OptInSource,
    OptOut,
    ReplyOverride,
    RevocationReview,
    RuleOutcome,
    WebhookDelivery,
    WebhookEndpoint,
)
from .selectors import InboundDecision, block_for, compliance_settings_for, keyword_rules_changed

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
    language: str = "",
    confirmed: bool = False,
) -> ConsentEvent:
    """Blocks `contact` from `phone_number` under the scope in force, and logs the event.

    A contact already blocked from that number is recorded again as a *repeat* (the ledger
    keeps every request; figures count contacts). `confirmed`: a confirmation goes out with
    this event (a repeated STOP is confirmed at most once a day per number)."""
    settings = _consent_lock(workspace=workspace, contact=contact)
    rows = list(
        OptOut.objects.filter(workspace=workspace, contact=contact).select_related("phone_number")
    )
    existing = next((r for r in rows if r.phone_number_id == phone_number.pk), None)
    repeat = (
        scope.blocking(
            [scope.ActiveOptOut(r.id, r.scope, r.phone_number.number) for r in rows],
            phone_number.number,
            settings.opt_out_scope,
        )
        is not None
    )
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
        language=language,
        repeat=repeat,
    )
    confirmed_at = event.created_at if confirmed else None
    _revoke_consent(workspace=workspace, contact=contact, number=phone_number, scope_=event_scope)
    # The contact's lock above serialises its consent changes: `existing` is still true here,
    # so a plain update or insert does (no savepoints of update_or_create).
    if existing:
        existing.scope, existing.source, existing.event = event_scope, source, event
        existing.last_confirmed_at = confirmed_at or existing.last_confirmed_at
        existing.save(update_fields=["scope", "source", "event", "last_confirmed_at"])
    else:
        OptOut.objects.create(
            workspace=workspace,
            contact=contact,
            phone_number=phone_number,
            scope=event_scope,
            source=source,
            event=event,
            last_confirmed_at=confirmed_at,
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
    language: str = "",
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
        language=language,
    )
    OptOut.objects.filter(id__in=[o.id for o in lifted]).delete()
    if source == ConsentSource.KEYWORD:
        # The contact's own START or YES is express consent, from the number they texted.
        _consent_from_text(event=event, text=text)
    _queue_crm_notifications(event)
    return event


def _revoke_consent(
    *, workspace: Workspace, contact: Contact, number: PhoneNumber, scope_: str
) -> None:
    """An opt-out revokes the consent on record that it covers (all of it under inbox scope;
    on the number, and any inbox-wide consent, under phone-number scope)."""
    opt_ins = OptIn.objects.filter(workspace=workspace, contact=contact)
    if scope_ != scope.INBOX:
        opt_ins = opt_ins.filter(Q(phone_number=number) | Q(scope=scope.INBOX))
    opt_ins.delete()


def _consent_from_text(*, event: ConsentEvent, text: TextEvidence | None) -> None:
    number_id = event.phone_number_id
    assert number_id is not None  # a keyword's event names the number it was texted to
    opt_in = OptIn.objects.filter(
        workspace_id=event.workspace_id, contact_id=event.contact_id, phone_number_id=number_id
    ).first()
    evidence = f"Texted “{text.body}”" if text else "Texted an opt-in keyword"
    if opt_in is None:
        OptIn.objects.create(
            workspace_id=event.workspace_id,
            contact_id=event.contact_id,
            phone_number_id=number_id,
            scope=event.scope,
            status=OptIn.Status.CONFIRMED,
            source=OptInSource.KEYWORD,
            evidence=evidence,
            event=event,
            confirmed_at=event.created_at,
        )
    elif opt_in.status == OptIn.Status.PENDING:
        # The YES to a double opt-in request: the consent recorded earlier is confirmed.
        opt_in.status, opt_in.confirmed_at, opt_in.expires_at = (
            OptIn.Status.CONFIRMED,
            event.created_at,
            None,
        )
        opt_in.save(update_fields=["status", "confirmed_at", "expires_at"])


def keyword_add(
    *,
    workspace: Workspace,
    kind: str,
    keyword: str,
    language: str = "",
    reply_text: str = "",
    actor: "User | None" = None,
) -> Keyword:
    word = " ".join(keyword.split())
    if len(word) > MAX_CUSTOM_KEYWORD_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_KEYWORD,
            f"A keyword is one word or a short phrase: {MAX_CUSTOM_KEYWORD_LENGTH} characters "
            f"at most (this one has {len(word)}).",
            field="keyword",
        )
    if not is_valid_keyword(word) or not could_be_keyword(word):
        raise DomainError(
            ErrorCode.INVALID_KEYWORD,
            "A keyword needs at least one letter or digit.",
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
    """Applies `changes`, writes one audit entry per changed field (when a person, `actor`, or
    an API client, `via="api"`, made them: set-up code such as the demo seed passes neither and
    is not audited, as in workspaces.services), returns what changed."""
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
        for change in done if (actor is not None or via) else ():
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
    _refuse_if_blocked(workspace=workspace, contact_phone=contact_phone, number=phone_number)
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


def _refuse_if_blocked(*, workspace: Workspace, contact_phone: str, number: PhoneNumber) -> None:
    """A manual opt-out of a contact already blocked from that number says so (instead of a
    silent duplicate in the ledger)."""
    block = block_for(workspace_id=workspace.pk, contact_phone=contact_phone, number=number.number)
    if block is not None:
        raise DomainError(
            ErrorCode.ALREADY_OPTED_OUT,
            f"{pretty(contact_phone)} is already opted out: {block.refusal}",
            field="contact",
            opted_out_at=block.created_at.isoformat(),
            source=block.source,
        )


@transaction.atomic
def opt_out_api(
    *, workspace: Workspace, contact_phone: str, phone_number: PhoneNumber, reason: str = ""
) -> OptOut:
    """An API client records an opt-out (source `api`); the contact is created if new. A
    contact already blocked from that number is `already_opted_out` (409), nothing recorded."""
    _refuse_if_blocked(workspace=workspace, contact_phone=contact_phone, number=phone_number)
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
    if decision.revocation == "possible":
        revocation_review_open(
            workspace=workspace,
            contact=contact,
            phone_number=phone_number,
            text=text,
            language=decision.language,
            why=decision.why,
        )
        return None
    if decision.kind == OPT_OUT:
        return opt_out_record(
            workspace=workspace,
            contact=contact,
            phone_number=phone_number,
            source=(
                ConsentSource.REVOCATION
                if decision.revocation == "clear"
                else ConsentSource.KEYWORD
            ),
            text=text,
            language=decision.language,
            confirmed=bool(decision.reply_text),
            reason=f"Revocation in the contact's words ({decision.why})"
            if decision.revocation
            else "",
        )
    if decision.kind == OPT_IN:
        return opt_in_record(
            workspace=workspace,
            contact=contact,
            phone_number=phone_number,
            source=ConsentSource.KEYWORD,
            text=text,
            language=decision.language,
        )
    return None


# ---------------------------------------------------------------- reply overrides

# ISO 639-1 codes Django knows (its LANG_INFO), and every region with a numbering plan.
_LANGUAGES = frozenset(code for code in LANG_INFO if len(code) == 2)
_COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS)


def reply_override_add(
    *,
    workspace: Workspace,
    kind: str,
    text: str,
    language: str = "",
    country: str = "",
    actor: Any = None,
) -> ReplyOverride:
    """A workspace's own text for `kind` for contacts of a language and/or country."""
    language, country, text = language.strip().lower(), country.strip().upper(), text.strip()
    if kind not in replies.KINDS:
        raise DomainError(
            ErrorCode.INVALID_CHOICE, f"{kind!r} is not a kind of reply.", field="kind"
        )
    if language and language not in _LANGUAGES:
        raise DomainError(
            ErrorCode.INVALID_LANGUAGE,
            f"{language!r} is not an ISO 639-1 language code (e.g. fr, es).",
            field="language",
        )
    if country and country not in _COUNTRIES:
        raise DomainError(
            ErrorCode.INVALID_COUNTRY,
            f"{country!r} is not an ISO 3166 country code with phone numbers (e.g. CA, MX).",
            field="country",
        )
    if not language and not country:
        raise DomainError(
            ErrorCode.INVALID,
            "Name a language, a country or both: the default text is edited with the settings.",
            field="language",
        )
    if not text:
        raise DomainError(
            ErrorCode.INVALID_BODY, "Write the text the contact receives.", field="text"
        )
    if len(text) > MAX_BODY_LENGTH:
        raise DomainError(
            ErrorCode.BODY_TOO_LONG,
            f"The text is {len(text)} characters; {MAX_BODY_LENGTH} at most.",
            field="text",
        )
    try:
        with transaction.atomic():
            override = ReplyOverride.objects.create(
                workspace=workspace, kind=kind, language=language, country=country, text=text
            )
            audit_record(
                workspace=workspace,
                actor=actor,
                action="reply_override_added",
                field=kind,
                new_value=f"{'/'.join(p for p in (country, language) if p)}: {text}",
            )
    except IntegrityError as exc:
        target = "/".join(p for p in (country, language) if p)
        raise DomainError(
            ErrorCode.OVERRIDE_EXISTS,
            f"There is already a {kind.replace('_', '-')} text for {target}: edit or remove it.",
            field="language",
        ) from exc
    return override


@transaction.atomic
def reply_override_remove(*, override: ReplyOverride, actor: Any = None) -> None:
    audit_record(
        workspace=override.workspace,
        actor=actor,
        action="reply_override_removed",
        field=override.kind,
        old_value=f"{'/'.join(p for p in (override.country, override.language) if p)}: "
        f"{override.text}",
    )
    override.delete()


# ---------------------------------------------------------------- consent before contact


@dataclass(frozen=True)
class ConsentRecorded:
    opt_in: OptIn
    created: bool  # False: the same consent was on record already (nothing changed)


@transaction.atomic
def consent_record(
    *,
    workspace: Workspace,
    contact_phone: str,
    source: str,
    evidence: str,
    number: PhoneNumber | None = None,
    actor: Any = None,
) -> ConsentRecorded:
    """Records express consent given elsewhere than by the contact's own text (a web or paper
    form, a call, an import, the API), with its evidence.

    With double opt-in on, the consent is `pending` and the request text is queued (the contact
    confirms with YES); otherwise it is confirmed at once. A contact who opted out is refused:
    only their own START lifts an opt-out. Recording the same consent again changes nothing."""
    evidence = (evidence or "").strip()
    if source not in OptInSource.values or source == OptInSource.KEYWORD:
        raise DomainError(
            ErrorCode.INVALID_CHOICE,
            "Say where the contact gave consent: "
            + ", ".join(v for v in OptInSource.values if v != OptInSource.KEYWORD)
            + ".",
            field="source",
        )
    if not evidence:
        raise DomainError(
            ErrorCode.INVALID,
            "Record the evidence: the words or the form the contact agreed to.",
            field="evidence",
        )
    number = number or workspace.phone_numbers.order_by("number").first()
    if number is None or number.workspace_id != workspace.pk:
        raise DomainError(
            ErrorCode.UNKNOWN_SENDER_NUMBER,
            "Pick a number of this workspace that the consent covers.",
            field="number",
        )
    block = block_for(workspace_id=workspace.pk, contact_phone=contact_phone, number=number.number)
    if block is not None:
        raise DomainError(
            ErrorCode.RECIPIENT_OPTED_OUT,
            f"{block.refusal} Only the contact's own START (or YES) can lift an opt-out.",
            field="contact",
        )
    contact = contact_get_or_create(workspace=workspace, phone=contact_phone)
    settings_ = _consent_lock(workspace=workspace, contact=contact)
    existing = OptIn.objects.filter(
        workspace=workspace, contact=contact, phone_number=number
    ).first()
    if existing is not None and existing.status == OptIn.Status.CONFIRMED:
        return ConsentRecorded(existing, created=False)
    if existing is not None and (
        existing.expires_at is None or existing.expires_at > timezone.now()
    ):
        return ConsentRecorded(existing, created=False)  # a request is already waiting
    double = settings_.double_opt_in_enabled
    event = ConsentEvent.objects.create(
        workspace=workspace,
        contact=contact,
        kind=ConsentKind.OPT_IN_REQUESTED if double else ConsentKind.OPT_IN,
        source=ConsentSource.IMPORT
        if source == OptInSource.IMPORT
        else (ConsentSource.API if actor is None else ConsentSource.AGENT),
        scope=settings_.opt_out_scope,
        phone_number=number,
        numbers=_numbers_covered(workspace, number, settings_.opt_out_scope),
        actor=actor if getattr(actor, "pk", None) else None,
        reason=f"{OptInSource(source).label}: {evidence}",
    )
    now = event.created_at
    fields = {
        "scope": settings_.opt_out_scope,
        "status": OptIn.Status.PENDING if double else OptIn.Status.CONFIRMED,
        "source": source,
        "evidence": evidence,
        "recorded_by": event.actor,
        "event": event,
        "confirmed_at": None if double else now,
        "expires_at": now + timedelta(days=settings_.double_opt_in_expiry_days) if double else None,
        "request_sent_at": None,
    }
    if existing is not None:  # an expired request: asked again
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
        opt_in = existing
    else:
        opt_in = OptIn.objects.create(
            workspace=workspace, contact=contact, phone_number=number, **fields
        )
    if double:
        enqueue(Job.DOUBLE_OPT_IN_REQUEST_SEND, opt_in.pk)
    _queue_crm_notifications(event)
    return ConsentRecorded(opt_in, created=True)


def double_opt_in_request_text(*, opt_in: OptIn, rules: ComplianceSettings) -> str:
    """The request a pending consent sends: the workspace's text (or an override for the
    contact's country), with its brand."""
    chosen = replies.choose(
        kind=replies.DOUBLE_OPT_IN,
        language="",
        country=country_of(opt_in.contact.phone),
        overrides=[
            replies.Override(o.kind, o.language, o.country, o.text)
            for o in ReplyOverride.objects.for_workspace(opt_in.workspace_id)
        ],
        workspace_text=rules.double_opt_in_text,
    )
    return replies.with_brand(chosen.text, opt_in.workspace.name)


def double_opt_in_request_sent(*, opt_in: OptIn) -> None:
    OptIn.objects.filter(pk=opt_in.pk).update(request_sent_at=timezone.now())


@transaction.atomic
def consent_requests_expire(*, now: datetime | None = None) -> int:
    """Pending double opt-ins whose contact never said YES in time are dropped (the contact is
    back to no consent on record), each with a ledger event."""
    now = now or timezone.now()
    expired = list(
        OptIn.objects.select_for_update(skip_locked=True)
        .filter(status=OptIn.Status.PENDING, expires_at__lte=now)
        .select_related("workspace", "phone_number")
    )
    for opt_in in expired:
        event = ConsentEvent.objects.create(
            workspace_id=opt_in.workspace_id,
            contact_id=opt_in.contact_id,
            kind=ConsentKind.OPT_IN_EXPIRED,
            source=ConsentSource(opt_in.event.source),
            scope=opt_in.scope,
            phone_number_id=opt_in.phone_number_id,
            numbers=[opt_in.phone_number.number],
            reason=f"No YES within {(opt_in.expires_at - opt_in.created_at).days} days.",
        )
        opt_in.delete()
        _queue_crm_notifications(event)
    return len(expired)


# The codes whose outcomes the Overview counts, by the US rule they belong to.
RULE_CODES = frozenset(
    {
        ErrorCode.RECIPIENT_OPTED_OUT,
        ErrorCode.CONSENT_REQUIRED,
        ErrorCode.CONSENT_PENDING,
        ErrorCode.CONTENT_BLOCKED,
        ErrorCode.QUIET_HOURS,
    }
)


def rule_outcomes_record(
    *,
    workspace: Workspace,
    refused: str | None = None,
    warned: tuple[str, ...] = (),
    held: bool = False,
) -> None:
    """Counts what the send policy did to a send, for the Overview (no content is kept)."""
    rows = []
    if refused in RULE_CODES:
        rows.append(RuleOutcome(workspace=workspace, rule=refused, outcome="refused"))
    if held:
        rows.append(RuleOutcome(workspace=workspace, rule=ErrorCode.QUIET_HOURS, outcome="held"))
    rows += [RuleOutcome(workspace=workspace, rule=code, outcome="warned") for code in warned]
    if rows:
        RuleOutcome.objects.bulk_create(rows)


# ---------------------------------------------------------------- revocation reviews

REVIEW_BUSINESS_DAYS = 10


def revocation_review_open(
    *,
    workspace: Workspace,
    contact: Contact,
    phone_number: PhoneNumber,
    text: TextEvidence,
    language: str = "",
    why: str = "",
) -> RevocationReview:
    """A text that may be a revocation waits for a person: due ten business days after it
    arrived (the FCC's deadline to honour a revocation)."""
    received = text.received_at or timezone.now()
    review, _ = RevocationReview.objects.get_or_create(
        message_sid=text.message_sid or f"local-{contact.pk}-{received.timestamp()}",
        defaults={
            "workspace": workspace,
            "contact": contact,
            "phone_number": phone_number,
            "body": text.body,
            "received_at": received,
            "language": language,
            "why": why[:300],
            "due_at": business_days_after(received, REVIEW_BUSINESS_DAYS),
        },
    )
    return review


@transaction.atomic
def revocation_review_resolve(
    *, review: RevocationReview, decision: str, reason: str, actor: Any = None
) -> ConsentEvent:
    """A person's decision on a review, in the ledger with who made it: opt the contact out
    (source `revocation`, under the scope in force) or record that it was not a revocation. A
    review is decided once: a second decision is `review_resolved` (409) with the first."""
    reason = _require_reason(reason)
    if decision not in RevocationReview.Decision.values:
        raise DomainError(
            ErrorCode.INVALID_CHOICE,
            "Decide `opt_out` or `not_revocation`.",
            field="decision",
        )
    review = RevocationReview.objects.select_for_update().get(pk=review.pk)
    if review.status == RevocationReview.Status.RESOLVED:
        raise DomainError(
            ErrorCode.REVIEW_RESOLVED,
            f"This text was already decided: {review.get_decision_display().lower()}"
            f" ({review.reason}).",
            decision=review.decision,
            reason=review.reason,
            resolved_at=review.resolved_at.isoformat() if review.resolved_at else None,
        )
    user = actor if getattr(actor, "pk", None) else None
    evidence = TextEvidence(
        body=review.body, message_sid=review.message_sid, received_at=review.received_at
    )
    if decision == RevocationReview.Decision.OPT_OUT:
        event = opt_out_record(
            workspace=review.workspace,
            contact=review.contact,
            phone_number=review.phone_number,
            source=ConsentSource.REVOCATION,
            text=evidence,
            actor=user,
            reason=f"Reviewed: {reason}",
            language=review.language,
        )
    else:
        event = ConsentEvent.objects.create(
            workspace=review.workspace,
            contact=review.contact,
            kind=ConsentKind.NOT_A_REVOCATION,
            source=ConsentSource.REVOCATION,
            scope=compliance_settings_for(review.workspace).opt_out_scope,
            phone_number=review.phone_number,
            numbers=[review.phone_number.number],
            message_body=review.body,
            message_sid=review.message_sid,
            received_at=review.received_at,
            actor=user,
            reason=f"Reviewed: {reason}",
            language=review.language,
        )
        _queue_crm_notifications(event)
    review.status = RevocationReview.Status.RESOLVED
    review.decision, review.reason = decision, reason
    review.resolved_by, review.resolved_at, review.event = user, timezone.now(), event
    review.save()
    return event
