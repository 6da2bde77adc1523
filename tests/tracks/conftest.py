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


# FIT, written by the test as a device writes it (the FIT protocol's file header, one definition of the `record`
# message, one data message per point, the file CRC), since fitdecode only reads.
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)  # fmt: skip


def _fit_crc(data: bytes, crc: int = 0) -> int:
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = (crc >> 4) & 0x0FFF
            crc = crc ^ tmp ^ _CRC_TABLE[nibble]
    return crc


def fit_bytes(route: list) -> bytes:
    """A FIT activity file of `route`'s points (timestamp, position in semicircles)."""
    import struct

    definition = struct.pack("<BBBHB", 0x40, 0, 0, 20, 3) + bytes((253, 4, 0x86, 0, 4, 0x85, 1, 4, 0x85))
    records = b"".join(
        struct.pack("<BIii", 0x00, int((moment - FIT_EPOCH).total_seconds()), round(lat * 2**31 / 180),
                    round(lon * 2**31 / 180))
        for lat, lon, moment in route
    )  # fmt: skip
    data = definition + records
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(data), b".FIT")
    header += struct.pack("<H", _fit_crc(header))
    body = header + data
    return body + struct.pack("<H", _fit_crc(body))
