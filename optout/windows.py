"""The recipient's sending window: quiet hours in the recipient's own time zones (all of them,
where a number spans several) and the stricter windows that US state telephone-solicitation
laws set by area code, with the exact instant the window next opens.

Pure: no database, no I/O but reading this package's `data/state_rules.json`.

How `opens_at` is exact: whether the window is open at an instant depends only on each zone's
local wall clock (time of day, and weekday for state rules). Between two "events" (an instant
where some zone's wall clock shows a boundary time — a quiet-hours or state-window edge, or
midnight — or where a zone's UTC offset changes) no wall clock crosses a boundary, so the answer
cannot change. Every window is half-open, `[start, end)`, so the answer at an event is the answer
just after it. The earliest open instant after a closed `now` is therefore the first event at
which the window is open: each zone's boundary times are converted to instants (both readings of
a repeated wall time, none of a skipped one), and each offset change is found to the second.
A boundary that falls in a skipped hour (spring forward) is crossed at the transition itself.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as phonenumbers_timezone

from optout.sending_rules import in_quiet_hours, is_valid_timezone

UNKNOWN_ZONE = "Etc/Unknown"  # what phonenumbers answers when it knows no zone
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# How far ahead `opens_at` is looked for. Windows repeat every week in wall-clock time; only the
# zones' offsets against each other change (DST), so a window that never opens in a year never
# opens: opens_at is then None.
HORIZON = timedelta(days=400)
_STEP = timedelta(days=1)
_HOUR = timedelta(hours=1)
_SECOND = timedelta(seconds=1)
_MIDNIGHT = time(0, 0)


# --- the recipient's zones ----------------------------------------------------------------------


def number_zones(number: str) -> tuple[str, ...]:
    """The IANA zones `phonenumbers` gives for a number: its area code's zones for a geographic
    number, its country's zones for a mobile or other non-geographic number (a UK mobile:
    Europe/London and the Crown dependencies). Empty when nothing is known (`Etc/Unknown`, an
    unparsable or invalid number) and for a non-geographic +1 number (toll-free 8XX, 5XX, 900):
    its "country" is the whole North American Numbering Plan, 40-odd zones from Guam to
    Bermuda, in which no window is ever open, and it says nothing about where the recipient is.
    """
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ()
    if parsed.country_code == 1 and not phonenumbers.is_number_geographical(parsed):
        return ()
    zones = phonenumbers_timezone.time_zones_for_number(parsed)
    return tuple(
        dict.fromkeys(z for z in zones if z != UNKNOWN_ZONE and is_valid_timezone(z)),
    )


def recipient_zones(number: str, contact_time_zone: str = "", *, fallback: str) -> tuple[str, ...]:
    """The zones whose local time governs a send to `number`: the contact's own IANA zone when
    it is set and valid, else the number's zones (`number_zones`), else `fallback` (the
    workspace's zone). An invalid contact zone is ignored, not trusted. `fallback` must be a
    valid zone (ValueError otherwise): it is the workspace's validated setting."""
    if contact_time_zone and is_valid_timezone(contact_time_zone):
        return (contact_time_zone,)
    zones = number_zones(number)
    if zones:
        return zones
    if not is_valid_timezone(fallback):
        raise ValueError(f"{fallback!r} is not an IANA time zone")
    return (fallback,)


# --- state rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyWindow:
    """Sending allowed from `start` (inclusive) to `end` (exclusive), local time, on `weekdays`
    (0 = Monday, as datetime.weekday())."""

    weekdays: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class StateRule:
    """A state's telephone-solicitation hours, applied to numbers of its area codes."""

    state: str  # USPS code, "FL"
    name: str  # "Florida"
    windows: tuple[DailyWindow, ...]
    area_codes: frozenset[str]
    citation: str  # "Fla. Stat. § 501.616(6)(a)"
    note: str

    def windows_on(self, weekday: int) -> tuple[DailyWindow, ...]:
        return tuple(w for w in self.windows if weekday in w.weekdays)

    def allows(self, local: datetime) -> bool:
        """Whether this state's law allows a send at this local wall-clock time."""
        now = local.time()
        return any(w.start <= now < w.end for w in self.windows_on(local.weekday()))

    def closed_reason(self, local: datetime, zone: str) -> str:
        """Why this state's law forbids a send at `local` (a wall-clock time in `zone`)."""
        weekday = local.weekday()
        windows = self.windows_on(weekday)
        hours = ", ".join(f"{w.start:%H:%M}–{w.end:%H:%M}" for w in windows)
        same_every_day = all(
            [(w.start, w.end) for w in self.windows_on(d)] == [(w.start, w.end) for w in windows]
            for d in range(7)
        )
        if not windows:
            allowed = f"no telephone solicitation on {_DAY_NAMES[weekday]}s"
        elif same_every_day:
            allowed = f"telephone solicitation {hours} only"
        else:
            allowed = f"telephone solicitation on {_DAY_NAMES[weekday]}s {hours} only"
        clock = f"{local:%H:%M}" if same_every_day and windows else f"{local:%A %H:%M}"
        return f"It is {clock} in {zone}; {self.name} law allows {allowed} ({self.citation})."


def _parse_time(value: str) -> time:
    parsed = time.fromisoformat(value)
    if parsed.tzinfo is not None:
        raise ValueError(f"{value!r}: state windows are local wall-clock times")
    return parsed


def _parse_rule(code: str, entry: dict[str, Any]) -> StateRule:
    windows = []
    for raw in entry["windows"]:
        days = frozenset(WEEKDAYS.index(day) for day in raw["days"])
        start, end = _parse_time(raw["start"]), _parse_time(raw["end"])
        if not days or not start < end:
            raise ValueError(f"{code}: a window needs days and start < end: {raw!r}")
        windows.append(DailyWindow(days, start, end))
    area_codes = frozenset(str(npa) for npa in entry["area_codes"])
    if not area_codes or not all(len(npa) == 3 and npa.isdigit() for npa in area_codes):
        raise ValueError(f"{code}: area codes are three digits")
    source = entry["source"]
    return StateRule(
        state=code,
        name=str(entry["name"]),
        windows=tuple(windows),
        area_codes=area_codes,
        citation=str(source["citation"]),
        note=str(source["note"]),
    )


@cache
def state_rules() -> tuple[StateRule, ...]:
    """Every state rule in `data/state_rules.json`, in the file's order."""
    text = (resources.files("optout") / "data" / "state_rules.json").read_text(encoding="utf-8")
    rules = tuple(_parse_rule(code, entry) for code, entry in json.loads(text)["states"].items())
    seen: dict[str, str] = {}
    for rule in rules:
        for npa in rule.area_codes:
            if npa in seen:
                raise ValueError(f"area code {npa} is listed for {seen[npa]} and {rule.state}")
            seen[npa] = rule.state
    return rules


def area_code(number: str) -> str | None:
    """The area code (NPA) of a +1 number, or None for any other number."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    national = phonenumbers.national_significant_number(parsed)
    if parsed.country_code != 1 or len(national) != 10:
        return None
    return national[:3]


def state_rules_for(number: str) -> list[StateRule]:
    """The state rules that apply to a number by its US area code; none for other countries."""
    npa = area_code(number)
    if npa is None:
        return []
    return [rule for rule in state_rules() if npa in rule.area_codes]


# --- the window ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowDecision:
    """May a text go out now? `reason` says which zone and rule close the window ("" when
    open). `opens_at` is the earliest instant ≥ now (aware, UTC) when the window is open in
    every zone and every state rule: `now` itself when open, None when it never opens."""

    open: bool
    reason: str
    opens_at: datetime | None


@dataclass(frozen=True)
class _Rules:
    zones: tuple[tuple[str, ZoneInfo], ...]
    quiet: tuple[time, time] | None
    states: tuple[StateRule, ...]

    def closed_reason(self, instant: datetime) -> str | None:
        """Why the window is closed at this instant, or None when it is open."""
        for name, zone in self.zones:
            local = instant.astimezone(zone)
            if self.quiet and in_quiet_hours(local.time(), *self.quiet):
                start, end = self.quiet
                return f"It is {local:%H:%M} in {name}; quiet hours run {start:%H:%M}–{end:%H:%M}."
            for rule in self.states:
                if not rule.allows(local):
                    return rule.closed_reason(local, name)
        return None

    def boundaries(self) -> frozenset[time]:
        """The wall-clock times at which the answer may change (midnight: a new weekday)."""
        times = {_MIDNIGHT}
        if self.quiet:
            times.update(self.quiet)
        for rule in self.states:
            for window in rule.windows:
                times.update((window.start, window.end))
        return frozenset(t.replace(tzinfo=None, fold=0) for t in times)


def _instants(day: date, at: time, zone: ZoneInfo) -> Iterable[datetime]:
    """The instants (UTC) whose wall clock in `zone` reads `day` `at`: two in a repeated hour,
    one usually, none in a skipped hour."""
    for fold in (0, 1):
        local = datetime.combine(day, at, tzinfo=zone).replace(fold=fold)
        instant = local.astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
            yield instant


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta | None:
    return instant.astimezone(zone).utcoffset()


def _transitions(zone: ZoneInfo, after: datetime, until: datetime) -> Iterable[datetime]:
    """The instants in (after, until] at which the zone's UTC offset changes, to the second
    (tz database transitions fall on whole seconds). Scans hour by hour, then bisects."""
    left = after.replace(minute=0, second=0, microsecond=0)
    while left < until:
        right = left + _HOUR
        before = _offset(left, zone)
        if before != _offset(right, zone):
            low, high = left, right  # offset(low) == before != offset(high)
            while high - low > _SECOND:
                middle = low + _SECOND * ((high - low) // _SECOND // 2)
                if _offset(middle, zone) == before:
                    low = middle
                else:
                    high = middle
            if after < high <= until:
                yield high
        left = right


def _events(rules: _Rules, after: datetime, until: datetime) -> list[datetime]:
    """Every instant in (after, until] at which the window may open or close, in order."""
    boundaries = rules.boundaries()
    found: set[datetime] = set()
    for _name, zone in rules.zones:
        day = after.astimezone(zone).date() - _STEP
        last = until.astimezone(zone).date() + _STEP
        while day <= last:
            for at in boundaries:
                found.update(i for i in _instants(day, at, zone) if after < i <= until)
            day += _STEP
        found.update(_transitions(zone, after, until))
    return sorted(found)


def _opens_at(rules: _Rules, now: datetime) -> datetime | None:
    after = now
    while after < now + HORIZON:
        until = after + _STEP
        for event in _events(rules, after, until):
            if rules.closed_reason(event) is None:
                return event
        after = until
    return None


def window_check(
    *,
    now: datetime,
    zones: Sequence[str],
    quiet_start: time,
    quiet_end: time,
    quiet_enabled: bool,
    area_code_rules: list[StateRule] | None,
) -> WindowDecision:
    """Is the recipient's sending window open at `now` (aware)?

    Quiet hours `[quiet_start, quiet_end)` close it in local time (they may wrap midnight:
    21:00→08:00 closes from 21:00 to 08:00; equal times mean no quiet hours); each state rule
    closes it outside its allowed hours. Both apply in every one of `zones` (the recipient's,
    see `recipient_zones`): the window is open only when it is open in all of them.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    if isinstance(zones, str):
        zones = (zones,)
    if not zones:
        raise ValueError("at least one time zone is needed")
    unknown = [name for name in zones if not is_valid_timezone(name)]
    if unknown:
        raise ValueError(f"not IANA time zones: {unknown}")
    rules = _Rules(
        zones=tuple((name, ZoneInfo(name)) for name in dict.fromkeys(zones)),
        quiet=(quiet_start, quiet_end) if quiet_enabled and quiet_start != quiet_end else None,
        states=tuple(area_code_rules or ()),
    )
    now = now.astimezone(UTC)
    reason = rules.closed_reason(now)
    if reason is None:
        return WindowDecision(open=True, reason="", opens_at=now)
    return WindowDecision(open=False, reason=reason, opens_at=_opens_at(rules, now))
