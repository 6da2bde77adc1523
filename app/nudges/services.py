"""What every nudge shares: the week a run belongs to, for keys that make each nudge go out once."""

from datetime import datetime, timedelta

from app.notifications.services import week_start

WEEK = timedelta(days=7)


def week_label(moment: datetime) -> str:
    """The ISO week of `moment` in the city's calendar, e.g. "2026-W10", for notification keys."""
    year, week, _day = week_start(moment).date().isocalendar()
    return f"{year}-W{week:02d}"


def last_week(now: datetime) -> tuple[datetime, datetime]:
    """Start and end of the calendar week before the one containing `now` (city time, Monday 00:00)."""
    end = week_start(now)
    return end - WEEK, end
