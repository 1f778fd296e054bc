"""The one way dates and times read, on pages and in the product's sentences: in the active time
zone (the workspace's on its pages, UTC in the API), with the zone shown. No I/O."""

from datetime import datetime

from django.utils import dateformat, timezone


def when_text(value: datetime, style: str = "") -> str:
    """'Dec 1, 23:38 PST' (the year added when it is not this one); 'Dec 12, 2025' for a day
    (`style="date"`)."""
    local = timezone.localtime(value)
    if style == "date":
        return dateformat.format(local, "M j, Y")
    if local.year == timezone.localtime().year:
        return dateformat.format(local, "M j, H:i T")
    return dateformat.format(local, "M j, Y, H:i T")


def when_title(value: datetime) -> str:
    """The full date and the zone's name, for a tooltip: 'Monday, December 1, 2025, 23:38
    (America/Los_Angeles)'."""
    local = timezone.localtime(value)
    zone = timezone.get_current_timezone_name()
    return f"{dateformat.format(local, 'l, F j, Y, H:i')} ({zone})"
