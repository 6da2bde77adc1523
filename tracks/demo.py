"""The demo city's tracks: some demo residents consent to routes × network planning and upload a morning ride
each through the same upload as the page, so the planners' route grid has cells to show."""

from datetime import UTC, datetime, timedelta

import gpxpy.gpx
from sqlalchemy import select

from accounts.models import Role, User
from app.clock import city_zone, local_date
from app.columns import utcnow
from app.extensions import db
from sharing import defaults
from sharing import services as sharing
from sharing.models import DataCategory, Purpose
from tracks import services

RIDERS = 8
LATITUDE = 52.5000  # one east–west street all of them ride along; each starts and ends elsewhere


def _ride(number: int, start: datetime) -> bytes:
    """A ride due east along the street, from a start of its own to an end of its own, at about 18 km/h."""
    west, east = 13.360 - 0.004 * number, 13.440 + 0.004 * number
    document, track, segment = gpxpy.gpx.GPX(), gpxpy.gpx.GPXTrack(), gpxpy.gpx.GPXTrackSegment()
    steps = 150
    for step in range(steps + 1):
        moment = start + timedelta(seconds=12 * step)
        segment.points.append(gpxpy.gpx.GPXTrackPoint(LATITUDE, west + (east - west) * step / steps, time=moment))
    track.segments.append(segment)
    document.tracks.append(track)
    return document.to_xml().encode()


def push_demo(now: datetime | None = None) -> int:
    """Consent and yesterday's morning ride for the first demo residents; how many tracks reached the grid."""
    now = now or utcnow()
    defaults.install_defaults()
    category = db.session.scalar(select(DataCategory).where(DataCategory.code == services.CATEGORY))
    purpose = db.session.scalar(select(Purpose).where(Purpose.code == services.PURPOSE))
    residents = db.session.scalars(select(User).where(User.role == Role.RESIDENT).order_by(User.id).limit(RIDERS))
    day = local_date(now) - timedelta(days=1)
    shared = 0
    for number, resident in enumerate(residents.all()):
        sharing.grant(resident, category, purpose, services.LEVEL, 12, now=now)
        start = datetime(day.year, day.month, day.day, 7, 30 + number, tzinfo=city_zone()).astimezone(UTC)
        upload = services.upload(resident, _ride(number, start), "bike", True, now=now)
        shared += sum(track.on_grid for track in upload.tracks)
    return shared
