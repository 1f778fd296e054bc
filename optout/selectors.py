"""Reads on consent: settings, keyword rules and the block check."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from compliance_center.process_cache import ProcessCache
from workspaces.models import AuditLogEntry, Contact, PhoneNumber
from workspaces.selectors import contact_search

from . import scope, wording
from .defaults import BUILTIN_KEYWORDS
from .keywords import OPT_IN, OPT_OUT, KeywordRule, could_be_keyword, match
from .models import (
    ComplianceSettings,
    ConsentEvent,
    ConsentKind,
    Keyword,
    KeywordKind,
    OptOut,
)


def compliance_settings_for(workspace: Any) -> ComplianceSettings:
    settings, _ = ComplianceSettings.objects.get_or_create(workspace=workspace)
    return settings


def keyword_rules_for(workspace: Any) -> list[KeywordRule]:
    """Built-in keywords followed by the workspace's custom ones."""
    return _keyword_rules(workspace.pk)


def _keyword_rules(workspace_id: int) -> list[KeywordRule]:
    rules = [KeywordRule(kind, word) for kind, words in BUILTIN_KEYWORDS.items() for word in words]
    rules += [
        KeywordRule(k.kind, k.keyword, k.language, k.reply_text)
        for k in Keyword.objects.filter(workspace_id=workspace_id)
    ]
    return rules


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
    matched (None for conversation), `reply_text` the reply ("" for none)."""

    kind: str | None
    reply_text: str

    @property
    def changes_consent(self) -> bool:
        return self.kind in (OPT_OUT, OPT_IN)


def inbound_decision(*, workspace: Any, rules: ComplianceSettings, body: str) -> InboundDecision:
    """Matches `body` against fresh keyword rules from the database (never the routing cache:
    this decides consent) and picks the reply the workspace sends for it."""
    hit = match(body, keyword_rules_for(workspace)) if could_be_keyword(body) else None
    if hit is None:
        return InboundDecision(None, "")
    if hit.kind == OPT_OUT:
        enabled = rules.opt_out_confirmation_enabled
        reply = (hit.rule.reply_text or rules.opt_out_confirmation_text) if enabled else ""
    elif hit.kind == OPT_IN:
        reply = hit.rule.reply_text or rules.opt_in_confirmation_text
    else:
        reply = hit.rule.reply_text or rules.help_text
    return InboundDecision(hit.kind, reply.strip())


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
        return {
            "opt_outs_7": Count(
                "id", filter=Q(kind=ConsentKind.OPT_OUT, created_at__gte=since_7, **extra)
            ),
            "opt_outs_30": Count(
                "id", filter=Q(kind=ConsentKind.OPT_OUT, created_at__gte=since_30, **extra)
            ),
            "opt_ins_7": Count(
                "id", filter=Q(kind=ConsentKind.OPT_IN, created_at__gte=since_7, **extra)
            ),
            "opt_ins_30": Count(
                "id", filter=Q(kind=ConsentKind.OPT_IN, created_at__gte=since_30, **extra)
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
        events.filter(kind=ConsentKind.OPT_OUT, created_at__date__gte=first_day)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("id"))
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
    """The workspace's active opt-outs, newest first; `q` matches a number (any format) or name."""
    qs = OptOut.objects.for_workspace(workspace).select_related(
        "contact", "phone_number", "event", "event__actor"
    )
    if q.strip():
        qs = qs.filter(contact_search(q, prefix="contact__"))
    return qs


def consent_history(*, workspace: Any, contact: Contact) -> list[ConsentEvent]:
    """Every consent event of a contact, newest first."""
    return list(
        ConsentEvent.objects.filter(workspace=workspace, contact=contact).select_related(
            "phone_number", "actor"
        )
    )


def custom_keywords_by_kind(workspace: Any) -> dict[str, list[Keyword]]:
    grouped: dict[str, list[Keyword]] = {kind: [] for kind in KeywordKind.values}
    for keyword in Keyword.objects.filter(workspace=workspace).order_by("keyword"):
        grouped[keyword.kind].append(keyword)
    return grouped


def audit_log_for(workspace: Any) -> QuerySet[AuditLogEntry]:
    return AuditLogEntry.objects.filter(workspace=workspace).select_related("actor")
