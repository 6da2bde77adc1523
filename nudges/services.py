"""What every nudge shares: the week a run belongs to, for keys that make each nudge go out once."""

from datetime import datetime

from app.clock import WEEK, week_start_at


def week_label(moment: datetime) -> str:
    """The ISO week of `moment` in the city's calendar, e.g. "2026-W10", for notification keys."""
    year, week, _day = week_start_at(moment).date().isocalendar()
    return f"{year}-W{week:02d}"


def last_week(now: datetime) -> tuple[datetime, datetime]:
    """Start and end of the calendar week before the one containing `now` (city time, Monday 00:00)."""
    end = week_start_at(now)
    return end - WEEK, end
