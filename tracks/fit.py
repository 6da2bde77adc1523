"""FIT files (Garmin and most bike computers) read with fitdecode and turned into a GPX track in memory, so that
gpxpy measures them exactly as it measures GPX: one track per file, its `record` messages as the points.

The file is checked whole (its CRC, every message) before anything is taken from it.
"""

import io

import fitdecode
import gpxpy.gpx

SEMICIRCLES = 2**31 / 180  # FIT stores positions as semicircles: degrees × 2^31 / 180


class UnreadableFit(ValueError):
    """The FIT file is broken or holds no positions."""


def is_fit(content: bytes) -> bool:
    """Whether the bytes start with a FIT file header (".FIT" at bytes 8–11)."""
    return len(content) >= 12 and content[8:12] == b".FIT"


def to_gpx(content: bytes) -> gpxpy.gpx.GPX:
    """The file's positioned records as one GPX track of one segment; UnreadableFit when it cannot be read."""
    segment = gpxpy.gpx.GPXTrackSegment()
    try:
        reader = fitdecode.FitReader(io.BytesIO(content), check_crc=fitdecode.CrcCheck.RAISE,
                                     error_handling=fitdecode.ErrorHandling.RAISE)  # fmt: skip
        with reader:
            for frame in reader:
                if point := _point(frame):
                    segment.points.append(point)
    except (fitdecode.FitError, ValueError, KeyError, TypeError, EOFError) as error:
        raise UnreadableFit(str(error)) from None
    document = gpxpy.gpx.GPX()
    if segment.points:
        track = gpxpy.gpx.GPXTrack()
        track.segments.append(segment)
        document.tracks.append(track)
    return document


def _point(frame) -> gpxpy.gpx.GPXTrackPoint | None:
    if frame.frame_type != fitdecode.FIT_FRAME_DATA or frame.name != "record":
        return None
    lat, lng = frame.get_value("position_lat", fallback=None), frame.get_value("position_long", fallback=None)
    if lat is None or lng is None:
        return None  # a record before the GPS found a fix
    moment = frame.get_value("timestamp", fallback=None)
    return gpxpy.gpx.GPXTrackPoint(lat / SEMICIRCLES, lng / SEMICIRCLES, time=moment)
