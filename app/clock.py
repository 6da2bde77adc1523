"""The city's calendar: one definition of its time zone, its days and its weeks (Monday to Sunday).

Storage is always UTC; whatever a resident calls "today" or "this week" is asked here.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app

from app.columns import utcnow

WEEK = timedelta(days=7)


@lru_cache(maxsize=8)
def zone_named(name: str) -> ZoneInfo:
    """A time zone by name, built once."""
    return ZoneInfo(name)


def city_zone() -> ZoneInfo:
    """The city's time zone (setting TIMEZONE)."""
    return zone_named(current_app.config["TIMEZONE"])


def local_date(moment: datetime) -> date:
    """The calendar day of a moment in the city."""
    return moment.astimezone(city_zone()).date()


def today(now: datetime | None = None) -> date:
    """Today in the city."""
    return local_date(now or utcnow())


def week_start(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def week_start_at(moment: datetime) -> datetime:
    """Monday 00:00 of the city's week containing `moment`, as an aware city time."""
    return datetime.combine(week_start(local_date(moment)), time(), tzinfo=city_zone())


def next_monday(day: date) -> date:
    """The Monday after `day` (a week on, when `day` is a Monday)."""
    return week_start(day) + WEEK


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A calendar day in the city as a UTC interval (23 or 25 hours long when the clocks change)."""
    return span_bounds(day, day + timedelta(days=1))


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    """The city-calendar week starting `monday` as a UTC interval."""
    return span_bounds(monday, monday + WEEK)


def span_bounds(first: date, end: date, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """Midnight of `first` up to midnight of `end` (exclusive) in the city, as UTC times."""
    zone = zone or city_zone()
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    return start, datetime.combine(end, time(0), tzinfo=zone).astimezone(UTC)


def sqlite_city_date(stored: str | None, zone: str) -> str | None:
    """SQLite's `city_date(timestamp, zone)`: a stored UTC timestamp as the ISO date it falls on in `zone`."""
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return moment.astimezone(zone_named(zone)).date().isoformat()
