"""The recipient's sending window (optout/windows.py): quiet hours in every one of the
recipient's zones, the stricter state windows by area code, and the exact instant the window
opens, across midnight and DST transitions. Fixed datetimes, no database, no sleeping."""

import json
from datetime import UTC, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from phonenumbers import geocoder

from optout.windows import (
    WEEKDAYS,
    StateRule,
    area_code,
    number_zones,
    recipient_zones,
    state_rules,
    state_rules_for,
    window_check,
)

NEW_YORK = "America/New_York"
LOS_ANGELES = "America/Los_Angeles"
CHICAGO = "America/Chicago"
NY_NUMBER = "+12125550123"  # Manhattan: one zone
LA_NUMBER = "+13105550100"  # Los Angeles: one zone
IDAHO_NUMBER = "+12083201234"  # 208-320: Idaho's Mountain and Pacific halves, two zones
NIGHT = (time(21, 0), time(8, 0))  # the usual quiet hours: closed 21:00 → 08:00


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: str, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone), fold=fold)


def check(now, zones, quiet=NIGHT, *, quiet_enabled=True, rules=None):
    return window_check(
        now=now,
        zones=zones,
        quiet_start=quiet[0],
        quiet_end=quiet[1],
        quiet_enabled=quiet_enabled,
        area_code_rules=rules,
    )


def rule(state: str) -> StateRule:
    return next(r for r in state_rules() if r.state == state)


# --- whose clock: the recipient's zones ---------------------------------------------------------


def test_the_contacts_own_zone_wins_over_the_number():
    assert recipient_zones(NY_NUMBER, "Europe/Paris", fallback="UTC") == ("Europe/Paris",)


def test_an_invalid_contact_zone_is_ignored_not_trusted():
    assert recipient_zones(NY_NUMBER, "Mars/Olympus", fallback="UTC") == (NEW_YORK,)
    assert recipient_zones(NY_NUMBER, "../etc/passwd", fallback="UTC") == (NEW_YORK,)


def test_a_us_number_has_the_single_zone_of_its_area_code():
    assert recipient_zones(NY_NUMBER, fallback="UTC") == (NEW_YORK,)
    assert recipient_zones(LA_NUMBER, fallback="UTC") == (LOS_ANGELES,)


def test_a_number_whose_area_spans_two_zones_gets_both():
    # Northern Idaho keeps Pacific time, the south Mountain time; 208-320 is listed in both.
    assert recipient_zones(IDAHO_NUMBER, fallback="UTC") == ("America/Boise", LOS_ANGELES)


def test_florida_panhandle_exchanges_are_on_central_time():
    assert recipient_zones("+18504567890", fallback="UTC") == (CHICAGO,)  # Pensacola


def test_a_uk_mobile_gets_its_countrys_zones():
    zones = recipient_zones("+447911123456", fallback=NEW_YORK)
    assert "Europe/London" in zones
    assert NEW_YORK not in zones


@pytest.mark.parametrize(
    "number",
    [
        "+18005550100",  # toll-free: the whole NANP from Guam to Bermuda
        "+18885550100",
        "not a number",
        "",
        "+1555",
        "+999123456",
    ],
)
def test_numbers_that_locate_nobody_fall_back_to_the_workspace_zone(number):
    assert number_zones(number) == ()
    assert recipient_zones(number, fallback="America/Denver") == ("America/Denver",)


def test_the_fallback_must_be_a_real_zone():
    with pytest.raises(ValueError):
        recipient_zones("+18005550100", fallback="Nowhere/Special")


# --- quiet hours ---------------------------------------------------------------------------------


def test_quiet_hours_close_the_window_with_a_sentence_saying_where_and_why():
    decision = check(local(NEW_YORK, 2025, 1, 6, 21, 40), [NEW_YORK])
    assert not decision.open
    assert decision.reason == "It is 21:40 in America/New_York; quiet hours run 21:00–08:00."


@pytest.mark.parametrize(
    ("hour", "minute", "is_open"),
    [
        (20, 59, True),
        (21, 0, False),  # quiet hours start inclusive
        (23, 59, False),
        (0, 0, False),  # wrapped past midnight
        (3, 0, False),
        (7, 59, False),
        (8, 0, True),  # and end exclusive
        (12, 0, True),
    ],
)
def test_quiet_hours_that_wrap_midnight(hour, minute, is_open):
    decision = check(local(NEW_YORK, 2025, 1, 7, hour, minute), [NEW_YORK])
    assert decision.open is is_open
    assert (decision.reason == "") is is_open


@pytest.mark.parametrize(
    ("hour", "minute", "is_open"), [(11, 59, True), (12, 0, False), (12, 59, False), (13, 0, True)]
)
def test_quiet_hours_within_one_day(hour, minute, is_open):
    decision = check(local(NEW_YORK, 2025, 1, 7, hour, minute), [NEW_YORK], (time(12), time(13)))
    assert decision.open is is_open


def test_equal_start_and_end_means_no_quiet_hours():
    assert check(local(NEW_YORK, 2025, 1, 7, 3, 0), [NEW_YORK], (time(9), time(9))).open


def test_quiet_hours_turned_off_never_close_the_window():
    assert check(local(NEW_YORK, 2025, 1, 7, 3, 0), [NEW_YORK], quiet_enabled=False).open


def test_an_open_window_opens_now():
    now = local(NEW_YORK, 2025, 1, 7, 12, 0)
    decision = check(now, [NEW_YORK])
    assert decision.opens_at == now
    assert decision.opens_at.tzinfo is UTC


def test_a_window_closed_tonight_opens_tomorrow_morning():
    decision = check(local(NEW_YORK, 2025, 1, 6, 21, 40), [NEW_YORK])  # Monday evening
    assert decision.opens_at == local(NEW_YORK, 2025, 1, 7, 8, 0)  # Tuesday 08:00
    assert decision.opens_at == utc(2025, 1, 7, 13, 0)
    assert decision.opens_at.tzinfo is UTC


def test_after_midnight_the_window_opens_the_same_morning():
    decision = check(local(NEW_YORK, 2025, 1, 7, 0, 30), [NEW_YORK])
    assert decision.opens_at == local(NEW_YORK, 2025, 1, 7, 8, 0)


def test_opens_at_keeps_the_seconds_of_an_odd_boundary():
    decision = check(local(NEW_YORK, 2025, 1, 7, 7, 0), [NEW_YORK], (time(21), time(7, 30, 15)))
    assert decision.opens_at == local(NEW_YORK, 2025, 1, 7, 7, 30, 15)


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError):
        check(datetime(2025, 1, 7, 12, 0), [NEW_YORK])


def test_no_zone_at_all_is_refused():
    with pytest.raises(ValueError):
        check(utc(2025, 1, 7, 12, 0), [])


def test_an_unknown_zone_is_refused():
    with pytest.raises(ValueError):
        check(utc(2025, 1, 7, 12, 0), [NEW_YORK, "Mars/Olympus"])


def test_a_single_zone_may_be_given_as_a_string():
    assert check(utc(2025, 1, 7, 17, 0), NEW_YORK).open


# --- several zones: open only where it is open everywhere ---------------------------------------


def test_a_los_angeles_number_is_open_while_a_new_york_number_is_closed():
    now = utc(2025, 1, 7, 2, 30)  # 21:30 in New York, 18:30 in Los Angeles
    new_york = check(now, recipient_zones(NY_NUMBER, fallback="UTC"))
    los_angeles = check(now, recipient_zones(LA_NUMBER, fallback="UTC"))
    assert not new_york.open
    assert los_angeles.open
    assert "America/New_York" in new_york.reason


def test_a_number_in_two_zones_waits_for_the_later_one():
    zones = recipient_zones(IDAHO_NUMBER, fallback="UTC")
    now = utc(2025, 1, 7, 15, 30)  # 08:30 in Boise, 07:30 in Los Angeles
    decision = check(now, zones)
    assert not decision.open
    assert decision.reason == "It is 07:30 in America/Los_Angeles; quiet hours run 21:00–08:00."
    assert decision.opens_at == local(LOS_ANGELES, 2025, 1, 7, 8, 0)
    assert check(decision.opens_at, zones).open


def test_a_number_in_two_zones_closes_with_the_earlier_one():
    zones = recipient_zones(IDAHO_NUMBER, fallback="UTC")
    now = utc(2025, 1, 8, 4, 30)  # 21:30 in Boise, 20:30 in Los Angeles
    decision = check(now, zones)
    assert not decision.open
    assert "America/Boise" in decision.reason
    assert decision.opens_at == local(LOS_ANGELES, 2025, 1, 8, 8, 0)


def test_zones_that_never_share_an_open_hour_never_open():
    # Open 11:00–12:00 only, three hours apart: no instant is open in both.
    decision = check(utc(2025, 1, 7, 12, 0), [NEW_YORK, LOS_ANGELES], (time(12), time(11)))
    assert not decision.open
    assert decision.opens_at is None


# --- DST: boundaries in a skipped or repeated hour ----------------------------------------------


@pytest.mark.parametrize(
    ("zone", "transition"),
    [(NEW_YORK, utc(2025, 3, 9, 7, 0)), (LOS_ANGELES, utc(2025, 3, 9, 10, 0))],
)
def test_spring_forward_a_boundary_in_the_skipped_hour_opens_at_the_transition(zone, transition):
    # Quiet until 02:30, which does not exist on 9 March 2025: clocks jump 01:59:59 → 03:00.
    quiet = (time(21), time(2, 30))
    now = local(zone, 2025, 3, 9, 1, 15)
    decision = check(now, [zone], quiet)
    assert not decision.open
    assert decision.opens_at == transition
    assert decision.opens_at.astimezone(ZoneInfo(zone)).time() == time(3, 0)
    assert check(transition, [zone], quiet).open
    assert not check(transition - timedelta(seconds=1), [zone], quiet).open


@pytest.mark.parametrize(
    ("zone", "opening"),
    [(NEW_YORK, utc(2025, 3, 9, 12, 0)), (LOS_ANGELES, utc(2025, 3, 9, 15, 0))],
)
def test_spring_forward_night_opens_at_8_daylight_time(zone, opening):
    decision = check(local(zone, 2025, 3, 8, 22, 0), [zone])  # Saturday night, standard time
    assert decision.opens_at == opening  # 08:00 on Sunday, daylight time: an hour earlier in UTC


@pytest.mark.parametrize(
    ("zone", "first", "second", "transition"),
    [
        (NEW_YORK, utc(2025, 11, 2, 5, 30), utc(2025, 11, 2, 6, 30), utc(2025, 11, 2, 6, 0)),
        (LOS_ANGELES, utc(2025, 11, 2, 8, 30), utc(2025, 11, 2, 9, 30), utc(2025, 11, 2, 9, 0)),
    ],
)
def test_fall_back_a_boundary_in_the_repeated_hour_is_crossed_twice(
    zone, first, second, transition
):
    # Quiet until 01:30; on 2 November 2025 01:00–01:59 happens twice (daylight, then standard).
    quiet = (time(21), time(1, 30))
    before = local(zone, 2025, 11, 2, 0, 30)
    assert check(before, [zone], quiet).opens_at == first  # 01:30 daylight time
    # Open from 01:30 daylight time until the clocks go back to 01:00 ...
    assert check(first, [zone], quiet).open
    assert check(transition - timedelta(seconds=1), [zone], quiet).open
    # ... then quiet again for the repeated half hour, until 01:30 standard time.
    repeated = check(transition + timedelta(minutes=10), [zone], quiet)
    assert not repeated.open
    assert repeated.reason.startswith("It is 01:10 in ")
    assert repeated.opens_at == second
    # (astimezone: PEP 495 makes a datetime in a fold unequal to any of another zone)
    assert local(zone, 2025, 11, 2, 1, 30, fold=1).astimezone(UTC) == second


@pytest.mark.parametrize(
    ("zone", "opening"),
    [(NEW_YORK, utc(2025, 11, 2, 13, 0)), (LOS_ANGELES, utc(2025, 11, 2, 16, 0))],
)
def test_fall_back_night_opens_at_8_standard_time(zone, opening):
    decision = check(local(zone, 2025, 11, 1, 22, 0), [zone])
    assert decision.opens_at == opening


def test_quiet_hours_starting_in_the_repeated_hour_start_at_its_first_reading():
    quiet = (time(1, 30), time(6, 0))
    assert check(utc(2025, 11, 2, 5, 29), [NEW_YORK], quiet).open  # 01:29 daylight
    assert not check(utc(2025, 11, 2, 5, 30), [NEW_YORK], quiet).open  # 01:30 daylight


def test_a_zone_whose_clocks_skip_midnight():
    # Havana springs forward at midnight: 8 March 2026 00:00 → 01:00 never shows 00:00.
    havana = "America/Havana"
    quiet = (time(22), time(0, 30))
    decision = check(local(havana, 2026, 3, 7, 23, 0), [havana], quiet)
    assert decision.opens_at == local(havana, 2026, 3, 8, 1, 0)


# --- state rules ---------------------------------------------------------------------------------


def _zone_of_state(rule_: StateRule) -> str:
    for npa in sorted(rule_.area_codes):
        zones = number_zones(f"+1{npa}2345678")
        if len(zones) == 1:
            return zones[0]
    raise AssertionError(f"no single-zone area code in {rule_.state}")


@pytest.mark.parametrize("state", [r.state for r in state_rules()])
def test_each_states_window_is_open_inside_and_closed_outside(state):
    rule_ = rule(state)
    zone = _zone_of_state(rule_)
    monday = datetime(2025, 1, 6).date()  # a week without DST transitions
    for offset, day in enumerate(WEEKDAYS):
        date_ = monday + timedelta(days=offset)
        windows = rule_.windows_on(WEEKDAYS.index(day))
        for window in windows:
            start = datetime.combine(date_, window.start, tzinfo=ZoneInfo(zone))
            end = datetime.combine(date_, window.end, tzinfo=ZoneInfo(zone))
            inside = [start, end - timedelta(minutes=1)]
            outside = [start - timedelta(minutes=1), end]
            for now in inside:
                assert check(now, [zone], quiet_enabled=False, rules=[rule_]).open, (day, now)
            for now in outside:
                decision = check(now, [zone], quiet_enabled=False, rules=[rule_])
                assert not decision.open, (day, now)
                assert rule_.name in decision.reason
                assert rule_.citation in decision.reason
                assert decision.opens_at > now


@pytest.mark.parametrize("state", ["FL", "OK", "MD", "WA"])
def test_eight_to_eight_states(state):
    rule_ = rule(state)
    zone = _zone_of_state(rule_)
    assert check(local(zone, 2025, 1, 5, 8, 0), [zone], quiet_enabled=False, rules=[rule_]).open
    assert check(local(zone, 2025, 1, 5, 19, 59), [zone], quiet_enabled=False, rules=[rule_]).open
    late = check(local(zone, 2025, 1, 5, 20, 0), [zone], quiet_enabled=False, rules=[rule_])
    assert not late.open
    assert late.opens_at == local(zone, 2025, 1, 6, 8, 0)
    assert not check(
        local(zone, 2025, 1, 5, 7, 59), [zone], quiet_enabled=False, rules=[rule_]
    ).open


def test_florida_reason_names_the_law():
    decision = check(
        local(NEW_YORK, 2025, 1, 6, 20, 30),
        [NEW_YORK],
        NIGHT,
        rules=state_rules_for("+13055550100"),
    )
    assert decision.reason == (
        "It is 20:30 in America/New_York; Florida law allows telephone solicitation "
        "08:00–20:00 only (Fla. Stat. § 501.616(6)(a))."
    )
    assert decision.opens_at == local(NEW_YORK, 2025, 1, 7, 8, 0)


def test_texas_sunday_opens_at_noon():
    texas = state_rules_for("+12145550100")
    sunday_morning = local(CHICAGO, 2025, 1, 5, 10, 30)
    decision = check(sunday_morning, [CHICAGO], NIGHT, rules=texas)
    assert not decision.open
    assert decision.reason == (
        "It is Sunday 10:30 in America/Chicago; Texas law allows telephone solicitation on "
        "Sundays 12:00–21:00 only (Tex. Bus. & Com. Code § 301.051)."
    )
    assert decision.opens_at == local(CHICAGO, 2025, 1, 5, 12, 0)
    assert check(local(CHICAGO, 2025, 1, 5, 12, 0), [CHICAGO], NIGHT, rules=texas).open
    assert not check(local(CHICAGO, 2025, 1, 5, 11, 59), [CHICAGO], NIGHT, rules=texas).open


def test_texas_saturday_opens_at_nine_and_closes_at_nine():
    texas = [rule("TX")]
    saturday = (2025, 1, 4)
    assert not check(
        local(CHICAGO, *saturday, 8, 59), [CHICAGO], quiet_enabled=False, rules=texas
    ).open
    assert check(local(CHICAGO, *saturday, 9, 0), [CHICAGO], quiet_enabled=False, rules=texas).open
    assert check(
        local(CHICAGO, *saturday, 20, 59), [CHICAGO], quiet_enabled=False, rules=texas
    ).open
    closed = check(local(CHICAGO, *saturday, 21, 0), [CHICAGO], quiet_enabled=False, rules=texas)
    assert not closed.open
    assert closed.opens_at == local(CHICAGO, 2025, 1, 5, 12, 0)  # Sunday: noon, not nine


def test_a_state_window_and_quiet_hours_both_apply():
    # Quiet hours until 10:00 are stricter than Florida's 08:00 start.
    decision = check(
        local(NEW_YORK, 2025, 1, 6, 9, 0), [NEW_YORK], (time(19), time(10)), rules=[rule("FL")]
    )
    assert "quiet hours" in decision.reason
    assert decision.opens_at == local(NEW_YORK, 2025, 1, 6, 10, 0)


def test_florida_panhandle_uses_central_time():
    number = "+18504567890"  # Pensacola
    zones = recipient_zones(number, fallback=NEW_YORK)
    now = local(NEW_YORK, 2025, 1, 6, 20, 30)  # 19:30 in Pensacola
    assert check(now, zones, quiet_enabled=False, rules=state_rules_for(number)).open


def test_el_paso_uses_mountain_time_for_texas():
    number = "+19152345678"
    zones = recipient_zones(number, fallback=CHICAGO)
    assert zones == ("America/Denver",)
    now = local(CHICAGO, 2025, 1, 5, 12, 30)  # 11:30 on Sunday in El Paso
    decision = check(now, zones, quiet_enabled=False, rules=state_rules_for(number))
    assert not decision.open
    assert decision.opens_at == local("America/Denver", 2025, 1, 5, 12, 0)


def test_state_rules_follow_the_contacts_own_zone():
    # A Florida number whose contact lives in California: Florida's hours, California's clock.
    number = "+13055550100"
    zones = recipient_zones(number, LOS_ANGELES, fallback=NEW_YORK)
    now = local(LOS_ANGELES, 2025, 1, 6, 19, 0)  # 22:00 in Miami
    assert check(now, zones, quiet_enabled=False, rules=state_rules_for(number)).open


@pytest.mark.parametrize(
    ("number", "states"),
    [
        ("+13055550100", ["FL"]),
        ("+17282345678", ["FL"]),  # Palm Beach overlay
        ("+14052345678", ["OK"]),
        ("+15722345678", ["OK"]),  # 405 overlay
        ("+14102345678", ["MD"]),
        ("+12272345678", ["MD"]),  # 301/240 overlay
        ("+12062345678", ["WA"]),
        ("+15642345678", ["WA"]),  # 360 overlay
        ("+12145550100", ["TX"]),
        ("+19452345678", ["TX"]),  # Dallas overlay
        ("+12125550123", []),  # New York: no state rule
        ("+14155550100", []),
        ("+16135550123", []),  # Ottawa: Canada
        ("+447911123456", []),  # not a +1 number
        ("+18005550100", []),
        ("garbage", []),
        ("", []),
    ],
)
def test_state_rules_by_area_code(number, states):
    assert [r.state for r in state_rules_for(number)] == states


def test_area_code_of_a_us_number():
    assert area_code("+1 (305) 555-0100") == "305"
    assert area_code("+447911123456") is None


# --- the data file ------------------------------------------------------------------------------

_STATE_NAMES = {
    "FL": "Florida",
    "OK": "Oklahoma",
    "MD": "Maryland",
    "WA": "Washington",
    "TX": "Texas",
}


def _geocoded_state(npa: int) -> str | None:
    """The state libphonenumber's geocoder places a +1 area code in, or None."""
    names = {"Washington State": "WA"} | {name: code for code, name in _STATE_NAMES.items()}
    for exchange in ("234", "456", "789", "321", "650", "820", "555"):
        number = phonenumbers.parse(f"+1{npa}{exchange}1234")
        if not phonenumbers.is_valid_number(number):
            continue
        description = geocoder.description_for_number(number, "en")
        if description in names:
            return names[description]
        if description[-4:-2] == ", ":
            return description[-2:]
    return None


def test_the_data_file_has_the_required_states_and_says_when_it_was_checked():
    raw = json.loads((resources.files("optout") / "data" / "state_rules.json").read_text())
    assert {"FL", "OK", "MD", "WA", "TX"} <= set(raw["states"])
    assert datetime.fromisoformat(raw["last_checked"])
    assert any("current" in line.lower() for line in raw["_about"])
    for entry in raw["states"].values():
        assert entry["source"]["citation"]
        assert entry["source"]["note"]
        assert entry["area_codes"] == sorted(set(entry["area_codes"]))


def test_florida_area_codes_include_every_overlay():
    listed = "239 305 321 324 352 386 407 448 561 645 656 689 727 728 754 772 786 813 850 863 904"
    assert set(rule("FL").area_codes) == {*listed.split(), "941", "954"}


@pytest.mark.parametrize("state", sorted(_STATE_NAMES))
def test_area_codes_match_the_installed_phonenumbers_geocoding_data(state):
    # When phonenumbers learns of a new overlay, this fails until the data file lists it.
    geocoded = {str(npa) for npa in range(200, 1000) if _geocoded_state(npa) == state}
    assert set(rule(state).area_codes) == geocoded


def test_every_area_code_of_a_state_rule_is_a_valid_us_area_code():
    for rule_ in state_rules():
        for npa in rule_.area_codes:
            assert number_zones(f"+1{npa}2345678"), (rule_.state, npa)


# --- opens_at is exact: properties ---------------------------------------------------------------

_ZONES = [
    NEW_YORK,
    LOS_ANGELES,
    CHICAGO,
    "America/Denver",
    "America/Phoenix",
    "America/Boise",
    "America/Havana",  # DST at midnight
    "America/St_Johns",  # half-hour offset
    "Europe/London",
    "Australia/Lord_Howe",  # half-hour DST
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "UTC",
]
_minutes = st.builds(time, st.integers(0, 23), st.integers(0, 59))
_nows = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
_zone_sets = st.lists(st.sampled_from(_ZONES), min_size=1, max_size=2, unique=True)
_state_sets = st.lists(st.sampled_from(["FL", "TX"]), max_size=2, unique=True)


def _decide(now, zones, start, end, states):
    return window_check(
        now=now,
        zones=zones,
        quiet_start=start,
        quiet_end=end,
        quiet_enabled=True,
        area_code_rules=[rule(s) for s in states],
    )


@settings(max_examples=300, deadline=None)
@given(now=_nows, zones=_zone_sets, start=_minutes, end=_minutes, states=_state_sets)
@example(  # spring forward in New York with a boundary in the skipped hour
    now=utc(2025, 3, 9, 6, 0), zones=[NEW_YORK], start=time(21), end=time(2, 30), states=[]
)
@example(  # fall back in Los Angeles with a boundary in the repeated hour
    now=utc(2025, 11, 2, 9, 10), zones=[LOS_ANGELES], start=time(21), end=time(1, 30), states=[]
)
def test_opens_at_is_open_and_nothing_before_it_is(now, zones, start, end, states):
    decision = _decide(now, zones, start, end, states)
    if decision.open:
        assert decision.opens_at == now
        assert decision.reason == ""
        return
    assert decision.reason
    if decision.opens_at is None:
        return
    assert decision.opens_at > now
    assert decision.opens_at.tzinfo is UTC
    assert _decide(decision.opens_at, zones, start, end, states).open
    for gap in (timedelta(minutes=1), timedelta(seconds=1), timedelta(microseconds=1)):
        if decision.opens_at - gap >= now:
            assert not _decide(decision.opens_at - gap, zones, start, end, states).open


def _oracle_open(instant, zones, start, end, states):
    """An independent, obvious reading of the rules at one instant, for the minute-by-minute
    check (window_check itself would look for opens_at at every closed minute)."""
    for zone in zones:
        wall = instant.astimezone(ZoneInfo(zone))
        clock = wall.time().replace(fold=0)
        if start != end and (
            start <= clock < end if start < end else clock >= start or clock < end
        ):
            return False
        for state in states:
            windows = rule(state).windows_on(wall.weekday())
            if not any(w.start <= clock < w.end for w in windows):
                return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(now=_nows, zones=_zone_sets, start=_minutes, end=_minutes, states=_state_sets)
@example(now=utc(2025, 3, 9, 6, 0), zones=[NEW_YORK], start=time(21), end=time(2, 30), states=[])
@example(
    now=utc(2025, 11, 2, 9, 10), zones=[LOS_ANGELES], start=time(21), end=time(1, 30), states=[]
)
@example(
    now=utc(2025, 1, 7, 12, 0),
    zones=[NEW_YORK, LOS_ANGELES],
    start=time(12),
    end=time(11),
    states=[],
)
def test_opens_at_is_minimal_minute_by_minute(now, zones, start, end, states):
    # Every boundary here falls on a whole minute, and so do these zones' transitions: any open
    # stretch contains a whole minute. So no whole minute before opens_at may be open.
    decision = _decide(now, zones, start, end, states)
    assert decision.open is _oracle_open(now, zones, start, end, states)
    if decision.open:
        return
    if decision.opens_at is not None:
        assert _oracle_open(decision.opens_at, zones, start, end, states)
    limit = min(decision.opens_at or now + timedelta(days=8), now + timedelta(days=3))
    minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while minute < limit:
        assert not _oracle_open(minute, zones, start, end, states), minute
        minute += timedelta(minutes=1)


def test_docs_rules_md_lists_every_state_rule_and_its_source():
    docs = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule_ in state_rules():
        assert f"| {rule_.state} {rule_.name} |" in docs
        assert rule_.citation in docs
