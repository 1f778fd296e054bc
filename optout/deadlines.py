"""Business-day arithmetic for review deadlines (pure): the FCC's revocation order gives ten
business days to honour a revocation. Weekends are skipped; public holidays are not modelled (a
deadline is at most a day or two early, the safe side)."""

from datetime import datetime, timedelta


def business_days_after(start: datetime, days: int) -> datetime:
    """The instant `days` business days (Monday–Friday) after `start`, at the same time of day."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current
