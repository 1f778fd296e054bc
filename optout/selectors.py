"""Reads on consent: settings, keyword rules and the block check."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from compliance_center.process_cache import ProcessCache

from . import scope
from .defaults import BUILTIN_KEYWORDS
from .keywords import KeywordRule
from .models import (
    AuditLogEntry,
    ComplianceSettings,
    ConsentEvent,
    ConsentKind,
    Keyword,
    KeywordKind,
    OptOut,
)


def compliance_settings_for(workspace) -> ComplianceSettings:
    settings, _ = ComplianceSettings.objects.get_or_create(workspace=workspace)
    return settings


def keyword_rules_for(workspace) -> list[KeywordRule]:
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


def _contact_model():
    return OptOut._meta.get_field("contact").related_model  # messaging's Contact


def _number_model():
    return OptOut._meta.get_field("phone_number").related_model  # workspaces' PhoneNumber


@cache
def _active_opt_outs_sql() -> str:
    optout, contact = OptOut._meta.db_table, _contact_model()._meta.db_table
    number, settings_ = _number_model()._meta.db_table, ComplianceSettings._meta.db_table
    columns = ", ".join(f"o.{f.column}" for f in OptOut._meta.concrete_fields)
    return (
        f"SELECT {columns}, c.phone, n.number, s.opt_out_scope"  # noqa: S608 - model tables only
        f" FROM {optout} o"
        f" JOIN {contact} c ON c.id = o.contact_id"
        f" JOIN {number} n ON n.id = o.phone_number_id"
        f" LEFT JOIN {settings_} s ON s.workspace_id = o.workspace_id"
        # c.workspace_id lets PostgreSQL use the contact's (workspace, phone) unique index;
        # without it the phone was matched by a scan of every contact (121 ms at 1M contacts).
        " WHERE o.workspace_id = %s AND c.workspace_id = %s AND c.phone = %s"
    )


@cache
def _opt_out_fields() -> tuple[str, ...]:
    return tuple(f.attname for f in OptOut._meta.concrete_fields)


def active_opt_outs(*, workspace_id: int, contact_phone: str) -> list[OptOut]:
    """A contact's active opt-outs, each with its contact, its number and the workspace's scope
    now (`workspace_scope`), in one indexed query.

    Written in SQL on purpose: this runs before every send, and building the same query through
    the ORM cost three times the database's own time (docs/benchmarks.md). The ledger event
    and other relations load lazily if a caller needs them.
    """
    fields = _opt_out_fields()
    with connection.cursor() as cursor:
        cursor.execute(_active_opt_outs_sql(), [workspace_id, workspace_id, contact_phone])
        rows = cursor.fetchall()
    opt_outs = []
    for row in rows:
        *values, phone, number, workspace_scope = row
        opt_out = OptOut.from_db(connection.alias, fields, values)
        opt_out.contact = _contact_model().from_db(
            connection.alias,
            ["id", "workspace_id", "phone"],
            [opt_out.contact_id, workspace_id, phone],
        )
        opt_out.phone_number = _number_model().from_db(
            connection.alias,
            ["id", "workspace_id", "number"],
            [opt_out.phone_number_id, workspace_id, number],
        )
        opt_out.workspace_scope = workspace_scope
        opt_outs.append(opt_out)
    return opt_outs


def block_for(*, workspace_id: int, contact_phone: str, number: str) -> OptOut | None:
    """The opt-out that forbids texting `contact_phone` from the workspace number `number`."""
    rows = active_opt_outs(workspace_id=workspace_id, contact_phone=contact_phone)
    if not rows:
        return None
    by_id = {row.id: row for row in rows}
    hit = scope.blocking(
        [scope.ActiveOptOut(r.id, r.scope, r.phone_number.number) for r in rows],
        number,
        rows[0].workspace_scope or scope.INBOX,
    )
    return by_id[hit.id] if hit else None


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


def compliance_stats(*, workspace, days: int = 30, now: datetime | None = None) -> ComplianceStats:
    """Live figures for the Overview: consent events in the last 7 / 30 days, overall and per
    workspace number, the block list's size and opt-outs per day (UTC)."""
    now = now or timezone.now()
    since_7, since_30 = now - timedelta(days=7), now - timedelta(days=30)
    events = ConsentEvent.objects.filter(workspace=workspace)

    def counts(**extra):
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


def block_list(*, workspace, q: str = ""):
    """The workspace's active opt-outs, newest first; `q` matches a number (any format) or name."""
    qs = OptOut.objects.filter(workspace=workspace).select_related(
        "contact", "phone_number", "event", "event__actor"
    )
    q = q.strip()
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        condition = Q(contact__name__icontains=q)
        if digits:
            # "(415) 555-0123" and "+14155550123" both find +14155550123.
            condition |= Q(contact__phone__contains=digits[-10:] if len(digits) > 10 else digits)
        qs = qs.filter(condition)
    return qs


def consent_history(*, workspace, contact) -> list[ConsentEvent]:
    """Every consent event of a contact, newest first."""
    return list(
        ConsentEvent.objects.filter(workspace=workspace, contact=contact).select_related(
            "phone_number", "actor"
        )
    )


def custom_keywords_by_kind(workspace) -> dict[str, list[Keyword]]:
    grouped: dict[str, list[Keyword]] = {kind: [] for kind in KeywordKind.values}
    for keyword in Keyword.objects.filter(workspace=workspace).order_by("keyword"):
        grouped[keyword.kind].append(keyword)
    return grouped


def audit_log_for(workspace):
    return AuditLogEntry.objects.filter(workspace=workspace).select_related("actor")
