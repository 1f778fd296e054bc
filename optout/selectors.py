"""Reads on consent: settings, keyword rules and the block check."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from compliance_center.phone import country_of, is_toll_free
from compliance_center.process_cache import ProcessCache
from workspaces.models import AuditLogEntry, Contact, PhoneNumber
from workspaces.selectors import contact_search

from . import replies, revocation, scope, signature, wording
from .defaults import LANGUAGE_PACKS
from .keywords import OPT_IN, OPT_OUT, KeywordRule, builtin_rules, could_be_keyword, match
from .models import (
    ComplianceSettings,
    ConsentEvent,
    ConsentKind,
    ConsentStatus,
    Keyword,
    KeywordKind,
    OptIn,
    OptOut,
    ReplyOverride,
    RevocationReview,
    RuleOutcome,
)


def compliance_settings_for(workspace: Any) -> ComplianceSettings:
    settings, _ = ComplianceSettings.objects.get_or_create(workspace=workspace)
    return settings


def keyword_rules_for(
    workspace: Any, *, packs: list[str], country: str = "", toll_free: bool = False
) -> list[KeywordRule]:
    """The workspace's custom keywords (first: a custom keyword's own reply wins), then the
    built-in ones in force for a contact of `country` texting a (toll-free or not) number."""
    return _custom_rules(workspace.pk) + builtin_rules(
        packs=packs, country=country, toll_free=toll_free
    )


def _custom_rules(workspace_id: int) -> list[KeywordRule]:
    return [
        KeywordRule(k.kind, k.keyword, k.language, k.reply_text)
        for k in Keyword.objects.filter(workspace_id=workspace_id)
    ]


def _keyword_rules(workspace_id: int) -> list[KeywordRule]:
    """Every keyword that might be one for some contact: custom ones and every pack."""
    return _custom_rules(workspace_id) + builtin_rules(packs=list(LANGUAGE_PACKS))


_routing_rules = ProcessCache()  # workspace id -> keyword rules


def keyword_rules_for_routing(workspace_id: int) -> tuple[KeywordRule, ...]:
    """The same rules, cached per process: only to pick the queue of an inbound text. Whether a
    text opts a contact out is decided by the worker on `keyword_rules_for`, never on these."""
    return _routing_rules.get(workspace_id, lambda: tuple(_keyword_rules(workspace_id)))


def keyword_rules_changed(workspace_id: int) -> None:
    _routing_rules.discard(workspace_id)


def is_keyword_for_routing(workspace_id: int, body: str) -> bool:
    """Whether `body` is a keyword by the cached rules: only to pick the lane of an inbound text
    (docs/decisions/0005-keywords-lane.md)."""
    if not could_be_keyword(body):
        return False
    return match(body, keyword_rules_for_routing(workspace_id)) is not None


@dataclass(frozen=True)
class InboundDecision:
    """What a contact's text changes and which system reply is due: `kind` is the keyword kind it
    matched (None for conversation), `reply_text` the reply ("" for none), `language` the
    keyword's, `repeat` whether the contact was already opted out from this number,
    `carrier_handled` whether the carrier (or Twilio Advanced Opt-Out) answered it already."""

    kind: str | None
    reply_text: str
    language: str = ""
    repeat: bool = False
    carrier_handled: bool = False
    # For a text that is not a keyword: "clear" (it revokes consent in the contact's own words:
    # kind is then opt_out) or "possible" (a person must decide), with the classifier's reason.
    revocation: str = ""
    why: str = ""

    @property
    def changes_consent(self) -> bool:
        return self.kind in (OPT_OUT, OPT_IN)


# A repeated STOP from an opted-out contact is confirmed at most once in this long per number.
REPEAT_CONFIRMATION_INTERVAL = timedelta(hours=24)
_WORKSPACE_TEXT = {
    OPT_OUT: "opt_out_confirmation_text",
    OPT_IN: "opt_in_confirmation_text",
    replies.HELP: "help_text",
}


def inbound_decision(
    *,
    workspace: Any,
    rules: ComplianceSettings,
    body: str,
    contact_phone: str,
    number: Any,
    carrier_answered: bool = False,
    now: datetime | None = None,
) -> InboundDecision:
    """Matches `body` against fresh keyword rules from the database (never the routing cache:
    this decides consent) and picks the reply the workspace sends for it, in the keyword's
    language, for the contact's country.

    No reply when the carrier answers keywords on this number (toll-free, or Twilio's Advanced
    Opt-Out: `carrier_answered`), and a contact already opted out from this number is confirmed
    again at most once a day. A text that is not a keyword may still revoke consent "by any
    reasonable means" (optout.revocation): clearly (an opt-out, confirmed) or possibly (a
    review for a person)."""
    country = country_of(contact_phone)
    hit = None
    if could_be_keyword(body):
        hit = match(
            body,
            keyword_rules_for(
                workspace,
                packs=list(rules.language_packs),
                country=country,
                toll_free=is_toll_free(number.number),
            ),
        )
    if hit is None:
        return _revocation_decision(
            workspace=workspace,
            rules=rules,
            body=body,
            contact_phone=contact_phone,
            number=number,
            country=country,
            now=now,
        )
    language = hit.rule.language
    carrier = carrier_answered or number.opt_out_confirmations == "carrier"
    repeat = False
    if hit.kind == OPT_OUT:
        block = block_for(
            workspace_id=workspace.pk, contact_phone=contact_phone, number=number.number
        )
        repeat = block is not None
    if carrier or (hit.kind == OPT_OUT and not rules.opt_out_confirmation_enabled):
        return InboundDecision(hit.kind, "", language, repeat, carrier)
    if repeat and _confirmed_recently(workspace, contact_phone, number, now or timezone.now()):
        return InboundDecision(hit.kind, "", language, repeat)
    if hit.kind == OPT_IN and pending_opt_in(
        workspace=workspace, contact_phone=contact_phone, number=number
    ):
        # The YES to a double opt-in request: the welcome text, not an opt-in confirmation.
        welcome = replies.choose(
            kind=replies.WELCOME,
            language=language,
            country=country,
            overrides=reply_overrides_for(workspace),
            workspace_text=rules.welcome_text,
        )
        return InboundDecision(hit.kind, replies.with_brand(welcome.text, workspace.name), language)
    text = (
        hit.rule.reply_text
        or replies.choose(
            kind=hit.kind,
            language=language,
            country=country,
            overrides=reply_overrides_for(workspace),
            workspace_text=getattr(rules, _WORKSPACE_TEXT[hit.kind]),
        ).text
    )
    return InboundDecision(hit.kind, text.strip(), language, repeat)


def _revocation_decision(
    *,
    workspace: Any,
    rules: ComplianceSettings,
    body: str,
    contact_phone: str,
    number: Any,
    country: str,
    now: datetime | None,
) -> InboundDecision:
    verdict = revocation.classify(body)
    if verdict.verdict == "possible":
        return InboundDecision(
            None, "", verdict.language, revocation="possible", why=verdict.reason
        )
    if verdict.verdict != "clear":
        return InboundDecision(None, "")
    repeat = (
        block_for(workspace_id=workspace.pk, contact_phone=contact_phone, number=number.number)
        is not None
    )
    quiet = not rules.opt_out_confirmation_enabled or (
        repeat and _confirmed_recently(workspace, contact_phone, number, now or timezone.now())
    )
    text = ""
    if not quiet:
        text = replies.choose(
            kind=OPT_OUT,
            language=verdict.language,
            country=country,
            overrides=reply_overrides_for(workspace),
            workspace_text=rules.opt_out_confirmation_text,
        ).text
    return InboundDecision(
        OPT_OUT,
        text.strip(),
        verdict.language,
        repeat,
        revocation="clear",
        why=verdict.reason,
    )


def _confirmed_recently(workspace: Any, contact_phone: str, number: Any, now: datetime) -> bool:
    last = (
        OptOut.objects.filter(
            workspace=workspace, contact__phone=contact_phone, phone_number=number
        )
        .values_list("last_confirmed_at", flat=True)
        .first()
    )
    return last is not None and now - last < REPEAT_CONFIRMATION_INTERVAL


def reply_overrides_for(workspace: Any) -> list[replies.Override]:
    return [
        replies.Override(o.kind, o.language, o.country, o.text)
        for o in ReplyOverride.objects.for_workspace(workspace)
    ]


@dataclass(frozen=True)
class Block:
    """An active opt-out that forbids texting a contact from a number, with what the refusal,
    the banner and the check API say about it."""

    opt_out_id: int
    event_id: int
    contact_id: int
    contact_phone: str
    number: str  # the workspace number the opt-out was made on
    scope: str  # the scope in force when it was made
    workspace_scope: str  # the workspace's scope now
    source: str
    created_at: datetime

    @property
    def source_label(self) -> str:
        return wording.SOURCE_LABELS.get(self.source, self.source)

    @property
    def refusal(self) -> str:
        return wording.refusal_sentence(
            contact_phone=self.contact_phone,
            number=self.number,
            opt_out_scope=self.scope,
            workspace_scope=self.workspace_scope,
            source=self.source,
            created_at=self.created_at,
        )


@cache
def _active_opt_outs_sql() -> str:
    optout, contact = OptOut._meta.db_table, Contact._meta.db_table
    number, settings_ = PhoneNumber._meta.db_table, ComplianceSettings._meta.db_table
    return (
        "SELECT o.id, o.event_id, o.contact_id, c.phone, n.number, o.scope,"  # noqa: S608
        " s.opt_out_scope, o.source, o.created_at"
        f" FROM {optout} o"
        f" JOIN {contact} c ON c.id = o.contact_id"
        f" JOIN {number} n ON n.id = o.phone_number_id"
        f" LEFT JOIN {settings_} s ON s.workspace_id = o.workspace_id"
        # c.workspace_id lets PostgreSQL use the contact's (workspace, phone) unique index;
        # without it the phone was matched by a scan of every contact (121 ms at 1M contacts).
        " WHERE o.workspace_id = %s AND c.workspace_id = %s AND c.phone = %s"
    )


def active_opt_outs(*, workspace_id: int, contact_phone: str) -> list[Block]:
    """A contact's active opt-outs with the workspace's scope now, in one indexed query.

    Written in SQL on purpose: this runs before every send, and building the same query through
    the ORM cost three times the database's own time
    (docs/decisions/0002-hand-written-sql-on-hot-paths.md).
    """
    with connection.cursor() as cursor:
        cursor.execute(_active_opt_outs_sql(), [workspace_id, workspace_id, contact_phone])
        rows = cursor.fetchall()
    created_at = OptOut._meta.get_field("created_at")
    return [
        Block(
            opt_out_id=row[0],
            event_id=row[1],
            contact_id=row[2],
            contact_phone=row[3],
            number=row[4],
            scope=row[5],
            workspace_scope=row[6] or scope.INBOX,
            source=row[7],
            # SQLite hands back text; the field's converters make it a datetime as the ORM does.
            created_at=_to_datetime(created_at, row[8]),
        )
        for row in rows
    ]


def _to_datetime(field: Any, value: Any) -> datetime:
    for converter in connection.ops.get_db_converters(field.get_col(OptOut._meta.db_table)):
        value = converter(value, field, connection)
    return value


def block_for(*, workspace_id: int, contact_phone: str, number: str) -> Block | None:
    """The opt-out that forbids texting `contact_phone` from the workspace number `number`."""
    rows = active_opt_outs(workspace_id=workspace_id, contact_phone=contact_phone)
    if not rows:
        return None
    by_id = {row.opt_out_id: row for row in rows}
    hit = scope.blocking(
        [scope.ActiveOptOut(r.opt_out_id, r.scope, r.number) for r in rows],
        number,
        rows[0].workspace_scope,
    )
    return by_id[hit.id] if hit else None


def block_evidence(block: Block) -> wording.Evidence:
    """What the ledger recorded about the event behind `block` (for the banner)."""
    event = ConsentEvent.objects.select_related("actor").get(pk=block.event_id)
    return event_evidence(event)


def event_evidence(event: ConsentEvent) -> wording.Evidence:
    return wording.Evidence(
        source=event.source,
        message_body=event.message_body,
        actor_email=getattr(event.actor, "email", "") or "",
        reason=event.reason,
    )


# ---------------------------------------------------------------- Compliance Center pages


@dataclass(frozen=True)
class NumberStats:
    number: str
    label: str
    opt_outs_7: int
    opt_outs_30: int
    opt_ins_7: int
    opt_ins_30: int
    blocked_here: int  # active opt-outs made on this number


@dataclass(frozen=True)
class ComplianceStats:
    opt_outs_7: int
    opt_outs_30: int
    opt_ins_7: int
    opt_ins_30: int
    blocked_contacts: int  # distinct contacts with at least one active opt-out
    per_number: list[NumberStats]
    daily_opt_outs: list[tuple[date, int]]  # the last `days` days, oldest first, zeros included


def compliance_stats(
    *, workspace: Any, days: int = 30, now: datetime | None = None
) -> ComplianceStats:
    """Live figures for the Overview: consent events in the last 7 / 30 days, overall and per
    workspace number, the block list's size and opt-outs per day (UTC)."""
    now = now or timezone.now()
    since_7, since_30 = now - timedelta(days=7), now - timedelta(days=30)
    events = ConsentEvent.objects.filter(workspace=workspace)

    def counts(**extra: Any) -> dict[str, Count]:
        """Contacts (not events) newly opted out / in: a repeated STOP is not counted again."""
        out = Q(kind=ConsentKind.OPT_OUT, repeat=False, **extra)
        opt_in = Q(kind=ConsentKind.OPT_IN, **extra)
        return {
            "opt_outs_7": Count("contact", distinct=True, filter=out & Q(created_at__gte=since_7)),
            "opt_outs_30": Count(
                "contact", distinct=True, filter=out & Q(created_at__gte=since_30)
            ),
            "opt_ins_7": Count(
                "contact", distinct=True, filter=opt_in & Q(created_at__gte=since_7)
            ),
            "opt_ins_30": Count(
                "contact", distinct=True, filter=opt_in & Q(created_at__gte=since_30)
            ),
        }

    totals = events.aggregate(**counts())
    by_number = {
        row["phone_number_id"]: row
        for row in events.filter(created_at__gte=since_30)
        .values("phone_number_id")
        .annotate(**counts())
    }
    blocked_by_number = dict(
        OptOut.objects.filter(workspace=workspace)
        .values("phone_number_id")
        .annotate(n=Count("id"))
        .values_list("phone_number_id", "n")
    )
    per_number = []
    for number in workspace.phone_numbers.order_by("number"):
        row = by_number.get(number.id, {})
        per_number.append(
            NumberStats(
                number=number.number,
                label=number.label,
                opt_outs_7=row.get("opt_outs_7", 0),
                opt_outs_30=row.get("opt_outs_30", 0),
                opt_ins_7=row.get("opt_ins_7", 0),
                opt_ins_30=row.get("opt_ins_30", 0),
                blocked_here=blocked_by_number.get(number.id, 0),
            )
        )
    today = now.astimezone(UTC).date()
    first_day = today - timedelta(days=days - 1)
    per_day = dict(
        events.filter(kind=ConsentKind.OPT_OUT, repeat=False, created_at__date__gte=first_day)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("contact", distinct=True))
        .values_list("day", "n")
    )
    daily = [(d, per_day.get(d, 0)) for d in (first_day + timedelta(days=i) for i in range(days))]
    return ComplianceStats(
        **totals,
        blocked_contacts=OptOut.objects.filter(workspace=workspace)
        .values("contact_id")
        .distinct()
        .count(),
        per_number=per_number,
        daily_opt_outs=daily,
    )


def block_list(*, workspace: Any, q: str = "") -> QuerySet[OptOut]:
    """The workspace's active opt-outs, newest first; `q` matches the contact's name or number
    (any format), or the label of the number they opted out on ("Sales")."""
    qs = OptOut.objects.for_workspace(workspace).select_related(
        "contact", "phone_number", "event", "event__actor"
    )
    if q.strip():
        qs = qs.filter(
            contact_search(q, prefix="contact__") | Q(phone_number__label__icontains=q.strip())
        )
    return qs


def consent_history(*, workspace: Any, contact: Contact) -> list[ConsentEvent]:
    """Every consent event of a contact, newest first: the chain of opt-outs, opt-ins, double
    opt-in requests (confirmed or expired) and reviews decided."""
    return list(
        ConsentEvent.objects.filter(workspace=workspace, contact=contact).select_related(
            "phone_number", "actor"
        )
    )


@dataclass(frozen=True)
class NumberConsent:
    number: PhoneNumber
    consent: "Consent"


def consent_by_number(*, workspace: Any, contact: Contact) -> list[NumberConsent]:
    """The contact's consent to be texted from each number of the workspace (the contact page):
    opted in with its evidence, pending, opted out (and how), or unknown."""
    return [
        NumberConsent(
            number=number,
            consent=consent_status(
                workspace_id=workspace.pk, contact_phone=contact.phone, number=number
            ),
        )
        for number in PhoneNumber.objects.filter(workspace=workspace).order_by("number")
    ]


def open_reviews_of(*, workspace: Any, contact: Contact) -> list[RevocationReview]:
    """A contact's texts still waiting for a person to decide whether they revoke consent."""
    return list(
        RevocationReview.objects.filter(
            workspace=workspace, contact=contact, status=RevocationReview.Status.OPEN
        ).select_related("phone_number")
    )


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """'KW2' before 'KW10': runs of digits compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.findall(r"\d+|\D+", text)
    )


def custom_keywords_by_kind(workspace: Any) -> dict[str, list[Keyword]]:
    """The workspace's custom keywords per kind, in natural order (DEAL2 before DEAL10)."""
    grouped: dict[str, list[Keyword]] = {kind: [] for kind in KeywordKind.values}
    for keyword in Keyword.objects.filter(workspace=workspace):
        grouped[keyword.kind].append(keyword)
    for keywords in grouped.values():
        keywords.sort(key=lambda k: natural_key(k.keyword))
    return grouped


API_ACTOR = "api"  # the "who" of changes made with an API token (no person)


def audit_log_for(
    workspace: Any,
    *,
    who: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditLogEntry]:
    """The workspace's audit log, newest first: changes by `who` (a user's id, or "api"), of
    one `action`, made at or after `since` and before `until`."""
    qs = AuditLogEntry.objects.filter(workspace=workspace).select_related("actor")
    if who == API_ACTOR:
        qs = qs.filter(actor__isnull=True)
    elif who.isdigit():
        qs = qs.filter(actor_id=int(who))
    if action:
        qs = qs.filter(action=action)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def audit_log_choices(workspace: Any) -> tuple[list[tuple[str, str]], list[str]]:
    """Who appears in the workspace's audit log ((value, email) of people, then the API) and
    which actions it holds: the filters' options."""
    entries = AuditLogEntry.objects.filter(workspace=workspace)
    people = (
        entries.filter(actor__isnull=False)
        .values_list("actor_id", "actor__email")
        .distinct()
        .order_by("actor__email")
    )
    who = [(str(pk), email) for pk, email in people]
    if entries.filter(actor__isnull=True).exists():
        who.append((API_ACTOR, "API token"))
    actions = sorted(set(entries.values_list("action", flat=True)))
    return who, actions


@dataclass(frozen=True)
class ReplyPreview:
    """What a contact of `country` texting `body` gets: the keyword it matched and the text."""

    country: str
    kind: str | None
    keyword: str
    language: str
    text: str
    source: str


def reply_preview(
    *, workspace: Any, rules: ComplianceSettings, contact_phone: str, body: str
) -> ReplyPreview:
    """The reply a text would get from a contact (for the Keywords tab's preview): the same
    keyword rules and reply choice as a real text, without the repeat and carrier checks."""
    country = country_of(contact_phone)
    hit = match(
        body, keyword_rules_for(workspace, packs=list(rules.language_packs), country=country)
    )
    if hit is None:
        return ReplyPreview(country, None, "", "", "", "not a keyword: no automatic reply")
    if hit.rule.reply_text:
        return ReplyPreview(
            country, hit.kind, hit.rule.keyword, hit.rule.language, hit.rule.reply_text, "keyword"
        )
    chosen = replies.choose(
        kind=hit.kind,
        language=hit.rule.language,
        country=country,
        overrides=reply_overrides_for(workspace),
        workspace_text=getattr(rules, _WORKSPACE_TEXT[hit.kind]),
    )
    if hit.kind == OPT_OUT and not rules.opt_out_confirmation_enabled:
        return ReplyPreview(
            country, hit.kind, hit.rule.keyword, hit.rule.language, "", "confirmations are off"
        )
    return ReplyPreview(
        country, hit.kind, hit.rule.keyword, hit.rule.language, chosen.text, chosen.source
    )


@dataclass(frozen=True)
class ReplyTextPreview:
    """A reply being edited, as the contact would receive it, counted, with the editor's soft
    warnings and, for a double opt-in request, the elements it lacks."""

    kind: str
    final: str
    info: Any  # segments.SegmentInfo
    chars: int
    warnings: list[str]
    missing: list[str]


def reply_text_preview(*, workspace: Any, kind: str, text: str) -> ReplyTextPreview:
    """For the reply editors' live preview: the same `{brand}` rule and segment count as the
    reply that is sent (a system reply: never signed)."""
    final = replies.as_sent(kind, text, workspace.name)
    composed = signature.compose(body=final, mode=signature.OFF, signature="", is_system_reply=True)
    opt_in_words = [
        rule.keyword
        for rule in keyword_rules_for(
            workspace, packs=list(compliance_settings_for(workspace).language_packs)
        )
        if rule.kind == OPT_IN
    ]
    return ReplyTextPreview(
        kind=kind,
        final=composed.final,
        info=composed.info,
        chars=composed.chars,
        warnings=replies.reply_warnings(
            kind=kind, text=final, segments=composed.info.segments, opt_in_words=opt_in_words
        ),
        missing=replies.double_opt_in_missing(text, workspace.name)
        if kind == replies.DOUBLE_OPT_IN
        else [],
    )


# ---------------------------------------------------------------- consent before contact


@dataclass(frozen=True)
class Consent:
    """A contact's consent to be texted from one workspace number."""

    status: str  # ConsentStatus
    texted_in_at: datetime | None  # when the contact last texted the workspace
    opt_in: OptIn | None = None  # the consent on record that covers the number, if any
    block: Block | None = None


def opt_in_covers(opt_in: OptIn, number_id: int) -> bool:
    """Consent given under inbox scope covers every number; under phone-number scope only the
    number it was given for. (Unlike an opt-out, a scope change never widens consent.)"""
    return opt_in.scope == scope.INBOX or opt_in.phone_number_id == number_id


def consent_status(
    *, workspace_id: int, contact_phone: str, number: Any, now: datetime | None = None
) -> Consent:
    """Opted out (the block list, under the scope in force) beats opted in beats pending beats
    unknown."""
    block = block_for(workspace_id=workspace_id, contact_phone=contact_phone, number=number.number)
    contact = (
        Contact.objects.filter(workspace_id=workspace_id, phone=contact_phone)
        .only("id", "last_inbound_at")
        .first()
    )
    texted_in_at = contact.last_inbound_at if contact else None
    if block is not None:
        return Consent(ConsentStatus.OPTED_OUT, texted_in_at, block=block)
    if contact is None:
        return Consent(ConsentStatus.UNKNOWN, None)
    now = now or timezone.now()
    covering = [
        o
        for o in OptIn.objects.filter(workspace_id=workspace_id, contact=contact)
        if opt_in_covers(o, number.pk)
    ]
    confirmed = next((o for o in covering if o.status == OptIn.Status.CONFIRMED), None)
    if confirmed:
        return Consent(ConsentStatus.OPTED_IN, texted_in_at, confirmed)
    pending = next(
        (o for o in covering if o.expires_at is None or o.expires_at > now),
        None,
    )
    if pending:
        return Consent(ConsentStatus.PENDING, texted_in_at, pending)
    return Consent(ConsentStatus.UNKNOWN, texted_in_at)


def pending_opt_in(*, workspace: Any, contact_phone: str, number: Any) -> OptIn | None:
    """The double opt-in request waiting for this contact's YES on this number, if any."""
    for opt_in in OptIn.objects.filter(
        workspace=workspace, contact__phone=contact_phone, status=OptIn.Status.PENDING
    ):
        if opt_in_covers(opt_in, number.pk):
            return opt_in
    return None


def lost_consent_requests(*, older_than_seconds: int, limit: int = 1000) -> list[int]:
    """Pending double opt-ins whose request was never sent (its task lost)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        OptIn.objects.filter(
            status=OptIn.Status.PENDING, request_sent_at__isnull=True, created_at__lt=cutoff
        )
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )


# ---------------------------------------------------------------- the Overview's four rules


@dataclass(frozen=True)
class RuleFigures:
    """What the send policy did for one rule, over the last 7 and 30 days."""

    refused_7: int = 0
    refused_30: int = 0
    held_7: int = 0
    held_30: int = 0
    warned_7: int = 0
    warned_30: int = 0


RULE_GROUPS = {
    "content": ("content_blocked",),
    "consent": ("consent_required", "consent_pending"),
    "opt_out": ("recipient_opted_out",),
    "hours": ("quiet_hours",),
}


def rule_figures(*, workspace: Any, now: datetime | None = None) -> dict[str, RuleFigures]:
    """Sends refused, held or warned about per rule (content, consent, opt-out, hours)."""
    now = now or timezone.now()
    since_7, since_30 = now - timedelta(days=7), now - timedelta(days=30)
    rows = (
        RuleOutcome.objects.for_workspace(workspace)
        .filter(created_at__gte=since_30)
        .values("rule", "outcome")
        .annotate(
            last_7=Count("id", filter=Q(created_at__gte=since_7)),
            last_30=Count("id"),
        )
    )
    counts: dict[tuple[str, str], tuple[int, int]] = {
        (r["rule"], r["outcome"]): (r["last_7"], r["last_30"]) for r in rows
    }

    def total(codes: tuple[str, ...], outcome: str, index: int) -> int:
        return sum(counts.get((code, outcome), (0, 0))[index] for code in codes)

    figures = {}
    for group, codes in RULE_GROUPS.items():
        warned = codes
        if group == "content":  # spam triggers and `warn` categories are content warnings
            warned = tuple(
                {rule for rule, outcome in counts if outcome == "warned"} - {"number_unregistered"}
            )
        figures[group] = RuleFigures(
            refused_7=total(codes, "refused", 0),
            refused_30=total(codes, "refused", 1),
            held_7=total(codes, "held", 0),
            held_30=total(codes, "held", 1),
            warned_7=total(warned, "warned", 0),
            warned_30=total(warned, "warned", 1),
        )
    return figures


@dataclass(frozen=True)
class ReviewCounts:
    open: int
    overdue: int


def review_counts(*, workspace: Any, now: datetime | None = None) -> ReviewCounts:
    open_reviews = RevocationReview.objects.for_workspace(workspace).filter(
        status=RevocationReview.Status.OPEN
    )
    return ReviewCounts(
        open=open_reviews.count(),
        overdue=open_reviews.filter(due_at__lt=now or timezone.now()).count(),
    )
