"""Time buckets for statistics, computed in the database: days, weeks (from Monday) and months of the city's calendar.

SQLite has no time zones, so a connection gets a `city_date(timestamp, zone)` function (registered
in app/__init__.py); PostgreSQL converts with AT TIME ZONE.
"""

import enum
from datetime import date, datetime, timedelta

from sqlalchemy import TIMESTAMP, Date, Integer, cast, func, literal_column
from sqlalchemy.sql import ColumnElement

from app.clock import span_bounds, zone_named


class Granularity(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def local_date(column, dialect: str, zone: str) -> ColumnElement:
    """The city-calendar date of a UTC timestamp column."""
    if dialect == "postgresql":
        return cast(func.timezone(zone, column), Date)
    return func.city_date(column, zone)


# julianday() of 0001-01-01, the day Python's date.toordinal() calls 1 (a Monday).
_JULIAN_DAY_OF_ORDINAL_1 = 1721425.5


def bucket(day_expression, granularity: Granularity, dialect: str) -> ColumnElement:
    """The first day of the bucket a date falls in, as a value `bucket_date` reads back.

    A date on PostgreSQL. On SQLite ISO text, except weeks: there the Monday's ordinal (as in
    date.toordinal), an integer, which is cheaper to compute and to sort over millions of rows.
    """
    if dialect == "postgresql":
        return _postgresql_bucket(day_expression, granularity)
    if granularity == Granularity.DAY:
        return func.date(day_expression)
    if granularity == Granularity.WEEK:
        weeks_since_ordinal_1 = cast((func.julianday(day_expression) - _JULIAN_DAY_OF_ORDINAL_1) / 7, Integer)
        return weeks_since_ordinal_1 * 7 + 1
    return func.strftime("%Y-%m-01", day_expression)


# A Monday long ago (date(1, 1, 1), the first day of Python's and PostgreSQL's proleptic calendar).
_MONDAY = literal_column("DATE '0001-01-01'", Date)


def _postgresql_bucket(day: ColumnElement, granularity: Granularity) -> ColumnElement:
    """Date arithmetic on the date itself: date_trunc takes a timestamp with time zone, and converting five
    million dates through the session's time zone was a third of the export's activity pass."""
    if granularity == Granularity.DAY:
        return day
    if granularity == Granularity.WEEK:
        return day - (day - _MONDAY) % literal_column("7", Integer)
    return cast(func.date_trunc("month", cast(day, TIMESTAMP)), Date)


def bucket_date(value) -> date:
    """The date a bucket value from the database stands for (see `bucket`)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int):
        return date.fromordinal(value)
    return date.fromisoformat(str(value)[:10])


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
    return span_bounds(start, end + timedelta(days=1), zone_named(zone))
