"""Builders for track tests: real GPX files made with gpxpy along routes of known length, and residents in a
running mobility challenge."""

from datetime import UTC, datetime, timedelta

import gpxpy.gpx
import pytest

from app.columns import utcnow
from app.extensions import db
from challenges import participation
from challenges.scoring import Category
from tests.sharing.conftest import catalogue, give_consent, make_challenge  # noqa: F401  (fixtures)

# A degree of latitude near 52.5° N is 111.26 km along the meridian (WGS84), so a route due north of
# START is `km` long when it spans km / 111.26 degrees.
KM_PER_DEGREE_LATITUDE = 111.26
START = (52.5000, 13.4000)  # a street corner in the demo city


def north(km: float, minutes: float, start: datetime, origin=START, points: int = 120) -> list:
    """A straight route due north, `km` long, ridden evenly in `minutes`: (lat, lon, time) per point."""
    lat, lon = origin
    span = km / KM_PER_DEGREE_LATITUDE
    return [(lat + span * i / points, lon, start + timedelta(minutes=minutes) * i / points) for i in range(points + 1)]


def east(km: float, minutes: float, start: datetime, origin=START, points: int = 120) -> list:
    """A route due east along the parallel of `origin` (for cells apart from the northern routes)."""
    import math

    lat, lon = origin
    span = km / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(lat)))
    return [(lat, lon + span * i / points, start + timedelta(minutes=minutes) * i / points) for i in range(points + 1)]


def gpx_bytes(*tracks: list, timed: bool = True) -> bytes:
    """A GPX document with one <trk> per route (one segment each), as a device exports it."""
    document = gpxpy.gpx.GPX()
    document.creator = "Civiquest tests"
    for route in tracks:
        track = gpxpy.gpx.GPXTrack()
        segment = gpxpy.gpx.GPXTrackSegment()
        for lat, lon, moment in route:
            segment.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon, elevation=34.0, time=moment if timed else None))
        track.segments.append(segment)
        document.tracks.append(track)
    return document.to_xml().encode()


def yesterday_at(hour: int, minute: int = 0) -> datetime:
    """Yesterday at a city hour, as UTC (the challenge runs then)."""
    from app.clock import city_zone

    day = utcnow().astimezone(city_zone()).date() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=city_zone()).astimezone(UTC)


@pytest.fixture
def mobility(make_challenge, make_user):  # noqa: F811  (the imported fixture)
    """A running mobility challenge and a builder of residents enrolled in it."""
    challenge = make_challenge(category=Category.MOBILITY, now=utcnow(), max_km_per_day=300)

    def enrolled(**fields):
        user = make_user(**fields)
        participation.join(db.session.merge(challenge), db.session.merge(user), now=utcnow() - timedelta(days=6))
        db.session.commit()
        return user

    enrolled.challenge = challenge
    return enrolled
