"""Who a broadcast goes to, decided by the database, set-based: one INSERT … SELECT per chunk of
contact ids writes every recipient with its status (eligible, or excluded and why), never a
Python loop over contacts.

The same rules as the send policy (optout/policy.py, optout/scope.py), written as an anti-join:
- opted out: an active opt-out of the contact with inbox scope, or made on the recipient's
  sender number, or any when the workspace's scope is now inbox;
- no consent: with `consent_required`, no confirmed consent covering the sender (inbox-wide or
  for that number) and never texted in; with consent required or double opt-in, a double
  opt-in still waiting for YES;
- invalid: not a phone number in E.164 form (a short code, an alphanumeric sender id).
The preview also counts the eligible whose sending window is closed at the time of sending
(quiet hours, state rules: `deferred`), by groups of contacts that share a window (their own
zone, their number's area code), one window check per group.
Each recipient is checked again by the send policy when its message is made, and by the
delivery re-check just before Twilio: this query decides the counts and who is tried, the
policy still has the last word.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from compliance_center.phone import InvalidNumber, to_e164
from optout import policy
from optout.models import ComplianceSettings, OptIn, OptOut
from optout.scope import INBOX
from workspaces.models import Contact, ContactTag, Tag, Workspace

from .models import Broadcast, BroadcastRecipient, RecipientStatus

E164 = r"^\+[1-9][0-9]{6,14}$"
CHUNK_IDS = 50_000  # contact ids per INSERT … SELECT
MAX_LISTED_NUMBERS = 10_000


@dataclass(frozen=True)
class Audience:
    """A parsed audience: every contact, the contacts with a tag, or a list of numbers."""

    kind: str  # "all" | "tag" | "numbers"
    tag: str = ""
    numbers: tuple[str, ...] = ()


def _regexp(column: str) -> str:
    return (
        f"{column} ~ %(e164)s" if connection.vendor == "postgresql" else f"{column} REGEXP %(e164)s"
    )


def _status_sql(*, rules: ComplianceSettings, senders: list[int]) -> tuple[str, str]:
    """The SQL of the sender a contact gets (spread over the pool by contact id) and of its
    status; parameters by name (%(ws)s, %(now)s, %(e164)s)."""
    if len(senders) == 1:
        sender = str(int(senders[0]))
    else:
        arms = " ".join(f"WHEN {i} THEN {int(s)}" for i, s in enumerate(senders))
        sender = f"(CASE c.id %% {len(senders)} {arms} END)"
    optout, optin = OptOut._meta.db_table, OptIn._meta.db_table
    inbox_now = "1=1" if rules.opt_out_scope == INBOX else "1=0"
    covering = f"(i.scope = 'inbox' OR i.phone_number_id = {sender})"
    confirmed = (
        f"EXISTS (SELECT 1 FROM {optin} i WHERE i.workspace_id = %(ws)s AND i.contact_id = c.id"
        f" AND i.status = 'confirmed' AND {covering})"
    )
    pending = (
        f"EXISTS (SELECT 1 FROM {optin} i WHERE i.workspace_id = %(ws)s AND i.contact_id = c.id"
        f" AND i.status = 'pending' AND {covering}"
        " AND (i.expires_at IS NULL OR i.expires_at > %(now)s))"
    )
    cases = [
        f"WHEN NOT ({_regexp('c.phone')}) THEN '{RecipientStatus.EXCLUDED_INVALID}'",
        f"WHEN EXISTS (SELECT 1 FROM {optout} o WHERE o.workspace_id = %(ws)s"
        f" AND o.contact_id = c.id AND ({inbox_now} OR o.scope = 'inbox'"
        f" OR o.phone_number_id = {sender})) THEN '{RecipientStatus.EXCLUDED_OPTED_OUT}'",
    ]
    if rules.consent_required or rules.double_opt_in_enabled:
        cases.append(
            f"WHEN NOT {confirmed} AND {pending} THEN '{RecipientStatus.EXCLUDED_NO_CONSENT}'"
        )
    if rules.consent_required:
        cases.append(
            f"WHEN c.last_inbound_at IS NULL AND NOT {confirmed} AND NOT {pending}"
            f" THEN '{RecipientStatus.EXCLUDED_NO_CONSENT}'"
        )
    status = "CASE " + " ".join(cases) + f" ELSE '{RecipientStatus.PENDING}' END"
    return sender, status


def _audience_filter(audience: Audience, workspace: Workspace) -> tuple[str, dict[str, Any]]:
    if audience.kind == "all":
        return "", {}
    if audience.kind == "tag":
        tag = Tag.objects.filter(workspace=workspace, name=audience.tag).first()
        return (
            f" AND EXISTS (SELECT 1 FROM {ContactTag._meta.db_table} ct"
            " WHERE ct.contact_id = c.id AND ct.tag_id = %(tag)s)",
            {"tag": tag.pk if tag else 0},
        )
    raise ValueError("a list audience is resolved by its numbers")


def _base_params(workspace: Workspace) -> dict[str, Any]:
    return {"ws": workspace.pk, "now": timezone.now(), "e164": E164}


def split_numbers(raw: list[str]) -> tuple[list[str], list[str]]:
    """A list audience's numbers as (valid E.164, deduplicated; the invalid entries as given)."""
    valid: dict[str, None] = {}
    invalid: dict[str, None] = {}
    for item in raw:
        try:
            valid[to_e164(str(item).strip())] = None
        except InvalidNumber:
            invalid[str(item)[:64]] = None
    return list(valid), list(invalid)


def listed_contacts_ensure(*, workspace: Workspace, numbers: list[str]) -> None:
    """The contacts of a list audience's valid numbers, made if new."""
    Contact.objects.bulk_create(
        [Contact(workspace=workspace, phone=n) for n in numbers],
        ignore_conflicts=True,
        batch_size=2000,
    )


def _contact_chunks(workspace: Workspace, start_after: int) -> Iterator[tuple[int, int]]:
    """(after, upto] ranges of the workspace's contact ids, CHUNK_IDS wide."""
    bounds = Contact.objects.filter(workspace=workspace, id__gt=start_after).order_by("id")
    first = bounds.values_list("id", flat=True).first()
    last = bounds.order_by("-id").values_list("id", flat=True).first()
    if first is None or last is None:
        return
    low = first - 1
    while low < last:
        yield low, min(low + CHUNK_IDS, last)
        low += CHUNK_IDS


def resolve(*, broadcast: Broadcast, rules: ComplianceSettings, audience: Audience) -> None:
    """Writes every recipient of `broadcast`, chunk by chunk of contact ids, each chunk in one
    transaction with the broadcast's cursor (a lost task resumes where it stopped; a chunk done
    twice inserts nothing: unique (broadcast, contact))."""
    workspace = broadcast.workspace
    sender, status = _status_sql(rules=rules, senders=broadcast.senders)
    recipients, contacts = BroadcastRecipient._meta.db_table, Contact._meta.db_table
    if audience.kind == "numbers":
        valid, invalid = split_numbers(list(audience.numbers))
        _resolve_listed(broadcast, valid, invalid, sender, status)
        return
    where, extra = _audience_filter(audience, workspace)
    conflict = "ON CONFLICT (broadcast_id, contact_id) WHERE contact_id IS NOT NULL DO NOTHING"
    sql = (
        f"INSERT INTO {recipients} (broadcast_id, contact_id, phone, phone_number_id, status,"  # noqa: S608
        " error_code, detail, updated_at)"
        f" SELECT %(b)s, c.id, c.phone, {sender}, {status}, '', '', %(now)s"
        f" FROM {contacts} c WHERE c.workspace_id = %(ws)s AND c.id > %(low)s"
        f" AND c.id <= %(high)s{where} {conflict}"
    )
    for low, high in _contact_chunks(workspace, broadcast.resolved_through):
        params = {**_base_params(workspace), **extra, "b": broadcast.pk, "low": low, "high": high}
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            Broadcast.objects.filter(pk=broadcast.pk).update(resolved_through=high)


def _resolve_listed(
    broadcast: Broadcast, valid: list[str], invalid: list[str], sender: str, status: str
) -> None:
    workspace = broadcast.workspace
    listed_contacts_ensure(workspace=workspace, numbers=valid)
    recipients, contacts = BroadcastRecipient._meta.db_table, Contact._meta.db_table
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(valid), 1000):
            chunk = valid[start : start + 1000]
            marks = ", ".join(f"%(p{i})s" for i in range(len(chunk)))
            params = {
                **_base_params(workspace),
                "b": broadcast.pk,
                **{f"p{i}": n for i, n in enumerate(chunk)},
            }
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {recipients} (broadcast_id, contact_id, phone, phone_number_id,"  # noqa: S608
                    " status, error_code, detail, updated_at)"
                    f" SELECT %(b)s, c.id, c.phone, {sender}, {status}, '', '', %(now)s"
                    f" FROM {contacts} c WHERE c.workspace_id = %(ws)s AND c.phone IN ({marks})"
                    " ON CONFLICT (broadcast_id, contact_id) WHERE contact_id IS NOT NULL"
                    " DO NOTHING",
                    params,
                )
        BroadcastRecipient.objects.bulk_create(
            [
                BroadcastRecipient(
                    broadcast=broadcast,
                    phone=raw,
                    status=RecipientStatus.EXCLUDED_INVALID,
                    detail="Not a phone number.",
                    updated_at=now,
                )
                for raw in invalid
            ],
            ignore_conflicts=True,
        )


# Contacts whose window is the same: one zone of their own (or none), and the same area code
# (a +1 number's first five characters, "+1415") or country and first digits elsewhere. The
# window of a group is its first number's.
_WINDOW_PREFIX = (
    "CASE WHEN c.phone LIKE '+1%%' THEN substr(c.phone, 1, 5) ELSE substr(c.phone, 1, 6) END"
)


def _number_prefix(phone: str) -> str:
    return phone[:5] if phone.startswith("+1") else phone[:6]


def _windows_apply(rules: ComplianceSettings) -> bool:
    return rules.quiet_hours_enabled or rules.state_rules_enabled


def _closed(rules: ComplianceSettings, groups: list[tuple[str, str, int]], at: datetime) -> int:
    """How many recipients of `groups` (time zone, a number, how many) find their window closed
    at `at`."""
    return sum(
        n
        for time_zone, phone, n in groups
        if not policy.recipient_window(
            rules=rules, recipient=phone, time_zone=time_zone, now=at
        ).open
    )


def _window_groups(where: str, status: str, params: dict[str, Any]) -> list[tuple[str, str, int]]:
    """The eligible (`pending`) contacts matching `where` who have not texted in within the
    reply window, grouped by what decides their window."""
    sql = (
        f"SELECT c.time_zone, {_WINDOW_PREFIX}, min(c.phone), count(*)"  # noqa: S608
        f" FROM {Contact._meta.db_table} c WHERE c.workspace_id = %(ws)s{where}"
        f" AND ({status}) = '{RecipientStatus.PENDING}'"
        " AND (c.last_inbound_at IS NULL OR c.last_inbound_at <= %(replied_since)s)"
        " GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(str(tz or ""), str(phone), int(n)) for tz, _, phone, n in cursor.fetchall()]


def preview_counts(
    *,
    workspace: Workspace,
    rules: ComplianceSettings,
    senders: list[int],
    audience: Audience,
    at: datetime | None = None,
) -> dict[str, int]:
    """How many of the audience each status would get if sent at `at` (now by default), without
    writing anything: the same CASE as `resolve`, grouped; of the eligible, those whose window
    is closed then are counted `deferred`."""
    sender, status = _status_sql(rules=rules, senders=senders)
    contacts = Contact._meta.db_table
    at = max(at or timezone.now(), timezone.now())  # a time past: sent now
    params = {
        **_base_params(workspace),
        "replied_since": at - timedelta(hours=rules.reply_window_hours),
    }
    windows = _windows_apply(rules)
    groups: list[tuple[str, str, int]] = []
    invalid_listed = 0
    if audience.kind == "numbers":
        valid, invalid = split_numbers(list(audience.numbers))
        invalid_listed = len(invalid)
        existing = set(
            Contact.objects.filter(workspace=workspace, phone__in=valid).values_list(
                "phone", flat=True
            )
        )
        new = sorted(set(valid) - existing)
        counts: dict[str, int] = {RecipientStatus.PENDING: len(new)}
        if windows:  # a listed number not yet a contact: no zone of its own, never texted in
            by_prefix: dict[str, list[str]] = {}
            for phone in new:
                by_prefix.setdefault(_number_prefix(phone), []).append(phone)
            groups += [("", phones[0], len(phones)) for phones in by_prefix.values()]
        for start in range(0, len(valid), 1000):
            chunk = valid[start : start + 1000]
            marks = ", ".join(f"%(p{i})s" for i in range(len(chunk)))
            chunk_params = {**params, **{f"p{i}": n for i, n in enumerate(chunk)}}
            where = f" AND c.phone IN ({marks})"
            for key, n in _grouped(
                f"SELECT {status} AS s, count(*) FROM {contacts} c"  # noqa: S608
                f" WHERE c.workspace_id = %(ws)s{where} GROUP BY 1",
                chunk_params,
            ):
                counts[key] = counts.get(key, 0) + n
            if windows:
                groups += _window_groups(where, status, chunk_params)
    else:
        where, extra = _audience_filter(audience, workspace)
        counts = dict(
            _grouped(
                f"SELECT {status} AS s, count(*) FROM {contacts} c"  # noqa: S608
                f" WHERE c.workspace_id = %(ws)s{where} GROUP BY 1",
                {**params, **extra},
            )
        )
        if windows:
            groups = _window_groups(where, status, {**params, **extra})
    if invalid_listed:
        key = RecipientStatus.EXCLUDED_INVALID
        counts[key] = counts.get(key, 0) + invalid_listed
    if deferred := _closed(rules, groups, at):
        counts[RecipientStatus.PENDING] -= deferred
        counts[RecipientStatus.DEFERRED] = deferred
    return counts


def _grouped(sql: str, params: dict[str, Any]) -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(str(s), int(n)) for s, n in cursor.fetchall()]
