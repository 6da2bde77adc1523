"""Time buckets for statistics, computed in the database: days, weeks (from Monday) and months of the city's calendar.

SQLite has no time zones, so a connection gets a `city_date(timestamp, zone)` function (registered
in app/__init__.py); PostgreSQL converts with AT TIME ZONE.
"""

import enum
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, func
from sqlalchemy.sql import ColumnElement


class Granularity(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def sqlite_city_date(stored: str | None, zone: str) -> str | None:
    """SQLite's `city_date`: a stored UTC timestamp as the ISO date it falls on in `zone`."""
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return moment.astimezone(_zone(zone)).date().isoformat()


def local_date(column, dialect: str, zone: str) -> ColumnElement:
    """The city-calendar date of a UTC timestamp column."""
    if dialect == "postgresql":
        return cast(func.timezone(zone, column), Date)
    return func.city_date(column, zone)


def bucket(day_expression, granularity: Granularity, dialect: str) -> ColumnElement:
    """The first day of the bucket a date falls in: a date on PostgreSQL (cheap to sort), ISO text on SQLite."""
    if dialect == "postgresql":
        field = {Granularity.DAY: "day", Granularity.WEEK: "week", Granularity.MONTH: "month"}[granularity]
        return cast(func.date_trunc(field, day_expression), Date)
    if granularity == Granularity.DAY:
        return func.date(day_expression)
    if granularity == Granularity.WEEK:
        return func.date(day_expression, "-6 days", "weekday 1")  # the Monday on or before
    return func.strftime("%Y-%m-01", day_expression)


def bucket_start(day: date, granularity: Granularity) -> date:
    if granularity == Granularity.DAY:
        return day
    if granularity == Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def buckets(start: date, end: date, granularity: Granularity) -> list[date]:
    """Every bucket from the one holding `start` to the one holding `end` (inclusive), in order."""
    result, current = [], bucket_start(start, granularity)
    while current <= end:
        result.append(current)
        if granularity == Granularity.DAY:
            current += timedelta(days=1)
        elif granularity == Granularity.WEEK:
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return result


def day_bounds(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC moments from the start of `start` to the end of `end` in the city."""
    begin = datetime.combine(start, datetime.min.time(), _zone(zone))
    finish = datetime.combine(end + timedelta(days=1), datetime.min.time(), _zone(zone))
    return begin.astimezone(UTC), finish.astimezone(UTC)
