"""Reading a GPX (or FIT, tracks.fit) file in memory: each track's day, distance, sustained speed and the grid
cells it passed.

Nothing here stores anything: the parsed points live only while the upload is handled. gpxpy reads the
file and measures the distances (its `length_2d`, and `distance_2d` between two points for the speed
profile); H3 (resolution 9, cells of about 0.1 km²) snaps positions to the grid.

A file may hold several tracks (`<trk>`); each is one trip. A track's segments (`<trkseg>`, the parts
between pauses of the recording) add up to its distance, and each segment's first and last cell, with
their neighbours, are dropped from the grid: where a recording starts or stops is where someone lives,
works or stopped, and one cell of about 350 m across next to the first kept cell would still point at
the door.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import gpxpy
import gpxpy.gpx
import h3
from flask_babel import lazy_gettext as _l

from app.clock import city_zone, week_start
from tracks import fit

MAX_BYTES = 5 * 1024 * 1024
MAX_POINTS = 50_000
MAX_TRACKS = 20
RESOLUTION = 9
# The sustained speed is the fastest average over any stretch of at least this long: a sprint or a GPS jump
# of a few seconds does not count, minutes at car speed do.
SUSTAINED = timedelta(minutes=5)
# Neighbours of a segment's first and last cell that are dropped with them (a ring of k cells).
PRIVATE_RING = 1
# Consecutive cells further apart than this are a jump (lost signal, a tunnel): the gap is not filled in.
MAX_FILL = 20
# The hour bands of the city's day: [from, to) in local hours.
HOUR_BANDS = (("night", 0, 6), ("morning", 6, 10), ("midday", 10, 15), ("afternoon", 15, 19), ("evening", 19, 24))


class UnreadableTrack(ValueError):
    """The file cannot be used; `message` says why in the reader's language."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass
class Track:
    """One track of the file, as much as the upload needs and nothing more."""

    number: int  # its place in the file, from 1
    started_at: datetime  # UTC
    distance_km: float
    sustained_kmh: float | None  # None when the track lasts less than SUSTAINED
    passes: set[tuple[str, str, date]] = field(default_factory=set)  # (cell, hour band, ISO week's Monday)

    @property
    def day(self) -> date:
        """The city-calendar day it started on."""
        return self.started_at.astimezone(city_zone()).date()


def hour_band(moment: datetime) -> str:
    """The band of the city's day a moment falls in."""
    hour = moment.astimezone(city_zone()).hour
    return next(name for name, first, end in HOUR_BANDS if first <= hour < end)


def parse(content: bytes) -> list[Track]:
    """The tracks of a GPX or FIT file; UnreadableTrack says what makes the file unusable (all of it is refused)."""
    if not content.strip():
        raise UnreadableTrack(_l("The file is empty."))
    if len(content) > MAX_BYTES:
        raise UnreadableTrack(_l("The file is larger than 5 MB."))
    document = _document(content)
    tracks = [track for track in document.tracks if any(segment.points for segment in track.segments)]
    if not tracks:
        raise UnreadableTrack(_l("The file holds no track with points (a planned route is not a trip)."))
    if len(tracks) > MAX_TRACKS:
        raise UnreadableTrack(_l("A file may hold at most 20 tracks."))
    if sum(len(segment.points) for track in tracks for segment in track.segments) > MAX_POINTS:
        raise UnreadableTrack(_l("A file may hold at most 50,000 points."))
    return [_track(number, track) for number, track in enumerate(tracks, start=1)]


def _document(content: bytes) -> gpxpy.gpx.GPX:
    if fit.is_fit(content):
        try:
            return fit.to_gpx(content)
        except fit.UnreadableFit:
            raise UnreadableTrack(_l("The FIT file cannot be read: it is broken or incomplete.")) from None
    # Entities are refused before parsing, so no document can expand itself (or reach out) in the parser.
    if b"<!DOCTYPE" in content[:4096].upper() or b"<!ENTITY" in content.upper():
        raise UnreadableTrack(_l("The file is not a GPX file."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableTrack(_l("The file is not a GPX file.")) from None
    try:
        return gpxpy.parse(text)
    except Exception:  # gpxpy raises its own errors, and the XML parser's or ValueError on broken numbers
        raise UnreadableTrack(_l("The file is not a GPX file.")) from None


def _segments(track: gpxpy.gpx.GPXTrack) -> Iterator[list[gpxpy.gpx.GPXTrackPoint]]:
    for segment in track.segments:
        if segment.points:
            yield segment.points


def _track(number: int, track: gpxpy.gpx.GPXTrack) -> Track:
    segments = list(_segments(track))
    for points in segments:
        for point in points:
            _check_point(number, point)
    started_at = min(point.time for points in segments for point in points).astimezone(UTC)
    parsed = Track(number, started_at, track.length_2d() / 1000.0, _sustained_kmh(segments))
    for points in segments:
        parsed.passes |= _passes(points)
    return parsed


def _check_point(number: int, point: gpxpy.gpx.GPXTrackPoint) -> None:
    if point.time is None:
        raise UnreadableTrack(_l("Track %(number)s has points without a time: the day cannot be told.", number=number))
    if point.time.tzinfo is None:  # GPX times are UTC; a file without the Z still means UTC
        point.time = point.time.replace(tzinfo=UTC)
    if not (-90 <= point.latitude <= 90 and -180 <= point.longitude <= 180):
        raise UnreadableTrack(_l("Track %(number)s has a point outside the map.", number=number))


def _sustained_kmh(segments: list[list[gpxpy.gpx.GPXTrackPoint]]) -> float | None:
    """The fastest average speed over any stretch of a segment lasting at least SUSTAINED (two pointers)."""
    fastest = None
    for points in segments:
        times = [point.time for point in points]
        distances = [0.0]
        for before, after in pairwise(points):
            distances.append(distances[-1] + (after.distance_2d(before) or 0.0))
        end = 0
        for start in range(len(points)):
            end = max(end, start)
            while end < len(points) and times[end] - times[start] < SUSTAINED:
                end += 1
            if end == len(points):
                break
            seconds = (times[end] - times[start]).total_seconds()
            speed = (distances[end] - distances[start]) / seconds * 3.6
            fastest = speed if fastest is None else max(fastest, speed)
    return fastest


def _passes(points: list[gpxpy.gpx.GPXTrackPoint]) -> set[tuple[str, str, date]]:
    """The (cell, hour band, week) the segment passed, without the cells around its start and its end."""
    visited: list[tuple[str, datetime]] = []
    for point in points:
        cell = h3.latlng_to_cell(point.latitude, point.longitude, RESOLUTION)
        if visited and visited[-1][0] == cell:
            continue
        if visited and 1 < _distance(visited[-1][0], cell) <= MAX_FILL:
            visited.extend((between, point.time) for between in h3.grid_path_cells(visited[-1][0], cell)[1:-1])
        visited.append((cell, point.time))
    private = set(h3.grid_disk(visited[0][0], PRIVATE_RING)) | set(h3.grid_disk(visited[-1][0], PRIVATE_RING))
    return {
        (cell, hour_band(moment), week_start(moment.astimezone(city_zone()).date()))
        for cell, moment in visited
        if cell not in private
    }


def _distance(first: str, second: str) -> int:
    try:
        return h3.grid_distance(first, second)
    except h3.H3BaseException:  # too far apart (or across a pentagon) to count the cells between
        return MAX_FILL + 1
