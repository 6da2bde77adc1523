"""The grid drawn as an SVG map, with no tile server: each published cell an outlined hexagon, shaded by its
tracks in five classes. Positions are projected plainly (longitude scaled by the cosine of the mean latitude),
which is true enough for the few kilometres of a city."""

import math
from dataclasses import dataclass

from tracks.grid import Grid

WIDTH = 600
SHADES = 5


@dataclass(frozen=True)
class Hexagon:
    cell: str
    points: str  # the SVG polygon's points
    shade: int  # 1 (fewest tracks) … SHADES (most)
    tracks: int
    residents: int


def svg_map(grid: Grid) -> dict | None:
    """The SVG's view box, height and hexagons; None when no cell is published."""
    if not grid.cells:
        return None
    corners = [corner for cell in grid.cells for corner in cell.boundary]
    lats, lngs = [lat for lat, _ in corners], [lng for _, lng in corners]
    scale = math.cos(math.radians(sum(lats) / len(lats)))
    west, east, south, north = min(lngs), max(lngs), min(lats), max(lats)
    span = max((east - west) * scale, north - south, 1e-9)
    factor = WIDTH / span
    height = max(round((north - south) * factor), 1)
    most = max(cell.tracks for cell in grid.cells) or 1

    def point(lat: float, lng: float) -> str:
        return f"{(lng - west) * scale * factor:.1f},{(north - lat) * factor:.1f}"

    hexagons = [
        Hexagon(cell.cell, " ".join(point(lat, lng) for lat, lng in cell.boundary),
                min(SHADES, 1 + cell.tracks * SHADES // (most + 1)), cell.tracks, cell.residents)
        for cell in grid.cells
    ]  # fmt: skip
    return {"width": WIDTH, "height": height, "hexagons": hexagons}
