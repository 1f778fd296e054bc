"""Sending rules beyond consent: quiet hours and blocked content. Pure functions, no I/O."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    """Whether `local` falls in [start, end); the window may wrap midnight (21:00 → 08:00)."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def local_time(now: datetime, timezone_name: str) -> time:
    return now.astimezone(ZoneInfo(timezone_name)).time()


def is_valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_terms(text: str) -> list[str]:
    """One blocked word or phrase per line; blank lines and duplicates dropped."""
    seen, terms = set(), []
    for line in text.splitlines():
        term = " ".join(line.split())
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def blocked_term(body: str, terms: Iterable[str]) -> str | None:
    """The first term found in `body` as a whole word or phrase (case- and width-insensitive)."""
    folded = _fold(body)
    for term in terms:
        needle = _fold(term)
        if needle and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", folded):
            return term
    return None


QUIET_HOURS = "quiet_hours"
CONTENT_BLOCKED = "content_blocked"


class SendingRules(Protocol):
    """The settings these rules read (ComplianceSettings has them)."""

    quiet_hours_enabled: bool
    quiet_hours_start: time
    quiet_hours_end: time
    timezone: str
    blocked_terms: str


@dataclass(frozen=True)
class Broken:
    """A rule a send would break now: which (`rule`, an error code) and why (`detail`)."""

    rule: str
    detail: str


def refusal(rules: SendingRules, body: str, now: datetime) -> Broken | None:
    """The rule that forbids this send now, or None."""
    if rules.quiet_hours_enabled:
        local = local_time(now, rules.timezone)
        if in_quiet_hours(local, rules.quiet_hours_start, rules.quiet_hours_end):
            return Broken(
                QUIET_HOURS,
                f"Quiet hours: sending is paused from {rules.quiet_hours_start:%H:%M} to "
                f"{rules.quiet_hours_end:%H:%M} ({rules.timezone}); "
                f"it is {local:%H:%M} there now.",
            )
    term = blocked_term(body, parse_terms(rules.blocked_terms))
    if term:
        return Broken(
            CONTENT_BLOCKED,
            f"The message contains “{term}”, which this workspace's content rules block.",
        )
    return None
