"""Sending rules beyond consent: quiet hours and blocked content. Pure functions, no I/O."""

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, time
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


def refusal(settings, body: str, now: datetime) -> tuple[str, str] | None:
    """(code, detail) when a workspace's sending rules forbid this send now, else None.

    `settings` is anything with the ComplianceSettings attributes used here.
    """
    if settings.quiet_hours_enabled:
        local = local_time(now, settings.timezone)
        if in_quiet_hours(local, settings.quiet_hours_start, settings.quiet_hours_end):
            return (
                "quiet_hours",
                f"Quiet hours: sending is paused from {settings.quiet_hours_start:%H:%M} to "
                f"{settings.quiet_hours_end:%H:%M} ({settings.timezone}); "
                f"it is {local:%H:%M} there now.",
            )
    term = blocked_term(body, parse_terms(settings.blocked_terms))
    if term:
        return (
            "content_blocked",
            f"The message contains “{term}”, which this workspace's content rules block.",
        )
    return None
