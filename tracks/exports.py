"""The route grid as files: GeoJSON (cell outlines, for GIS) and CSV (cell centres; German spreadsheet dialect for
readers whose decimal sign is a comma, as the statistics exports do)."""

import json
from collections.abc import Iterator

from babel.numbers import format_decimal

from app.spreadsheets import csv_lines
from stats.dialects import BOM, RFC4180, Dialect
from tracks.grid import Grid, metadata

HEADER = ("cell", "latitude", "longitude", "mode", "hour_band", "week_from", "week_to", "tracks", "residents")


def _coordinate(value: float, dialect: Dialect) -> str:
    rounded = round(value, 6)
    if dialect.name == RFC4180:
        return f"{rounded:.6f}"
    return format_decimal(rounded, format="0.000000", locale=dialect.locale, group_separator=False)


def csv_text(grid: Grid, dialect: Dialect) -> Iterator[str]:
    """One line per published cell; suppressed cells are absent."""
    query = grid.query
    rows = (
        (cell.cell, _coordinate(cell.centre[0], dialect), _coordinate(cell.centre[1], dialect), cell.mode,
         cell.hour_band, query.first_week.isoformat(), query.last_week.isoformat(), cell.tracks, cell.residents)
        for cell in grid.cells
    )  # fmt: skip
    if dialect.name != RFC4180:
        yield BOM
    yield from csv_lines(HEADER, rows, delimiter=dialect.delimiter)


def geojson(grid: Grid) -> bytes:
    """A FeatureCollection of cell outlines (longitude, latitude, as GeoJSON orders them), with the metadata."""
    features = []
    for cell in grid.cells:
        ring = [[round(lng, 6), round(lat, 6)] for lat, lng in cell.boundary]
        features.append({
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            "properties": {"cell": cell.cell, "mode": cell.mode, "hour_band": cell.hour_band, "tracks": cell.tracks,
                           "residents": cell.residents},
        })  # fmt: skip
    document = {"type": "FeatureCollection", "metadata": metadata(grid), "features": features}
    return json.dumps(document, ensure_ascii=False).encode()
