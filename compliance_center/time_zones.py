"""IANA time zone names (the tz database Python ships with, or the `tzdata` package). No I/O
beyond reading that database."""

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT = "UTC"


def is_valid_time_zone(name: str) -> bool:
    """True for an IANA name such as "America/New_York" or "UTC"."""
    if not name or name != name.strip() or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every canonical-looking name ("Region/City" and UTC), sorted: suggestions for a form."""
    names = {
        n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/"))
    }
    return tuple(sorted(names | {DEFAULT}))
