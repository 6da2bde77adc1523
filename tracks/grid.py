"""The planners' route grid: cell counts over a span of weeks, protected before anyone sees them, and logged.

Per (cell, mode, hour band) — "all" where the planner did not pick one — the grid adds up the tracks and counts
the distinct contributors. A cell resting on fewer than STATS_MIN_RESIDENTS residents is left out (not even
marked: that someone passed a quiet cell is itself a disclosure). Every other cell is perturbed by the cell key
method of the statistics (stats.cellkey), with each contributor's keyed hash as its record key: the same
residents always get the same noise, so two exports (two spans, "all" against one band) cannot be subtracted to
reveal one resident's tracks.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import h3
from sqlalchemy import func, select

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from sharing.models import Purpose
from sharing.uses import record_use
from stats import cellkey
from stats.services import min_residents
from tracks import services
from tracks.models import RouteCell

ALL = "all"


@dataclass(frozen=True)
class Query:
    first_week: date  # Mondays
    last_week: date
    mode: str = ALL
    hour_band: str = ALL

    def as_dict(self) -> dict:
        return {"from": self.first_week.isoformat(), "to": self.last_week.isoformat(), "mode": self.mode,
                "hour_band": self.hour_band}  # fmt: skip


@dataclass(frozen=True)
class GridCell:
    cell: str
    mode: str
    hour_band: str
    tracks: int  # perturbed
    residents: int  # perturbed

    @property
    def centre(self) -> tuple[float, float]:
        return h3.cell_to_latlng(self.cell)

    @property
    def boundary(self) -> tuple[tuple[float, float], ...]:
        return h3.cell_to_boundary(self.cell)


@dataclass
class Grid:
    query: Query
    cells: list[GridCell]
    suppressed: int
    min_residents: int
    generated_at: datetime
    residents: set[int] = field(default_factory=set)
    export_id: int | None = None


@dataclass
class _Sum:
    tracks: int = 0
    contributors: dict[str, int] = field(default_factory=dict)


def build(query: Query, now: datetime | None = None, k: int | None = None) -> Grid:
    """The protected grid for a query; counts past retention and residents whose consent ended leave the grid first."""
    now = now or utcnow()
    k = k or min_residents()
    services.purge_before_use(now)
    sums: dict[tuple[str, str, str], _Sum] = defaultdict(_Sum)
    for cell, mode, band, who, tracks in db.session.execute(_rows(query)):
        item = sums[(cell, mode if query.mode != ALL else ALL, band if query.hour_band != ALL else ALL)]
        item.tracks += tracks
        item.contributors[who] = item.contributors.get(who, 0) + tracks
    cells, suppressed = [], 0
    for (cell, mode, band), item in sorted(sums.items()):
        if len(item.contributors) < k:
            suppressed += 1
            continue
        cells.append(_protected(cell, mode, band, item))
    residents = services.contributors_between(query.first_week, query.last_week, now)
    return Grid(query, cells, suppressed, k, now, residents)


def _rows(query: Query):
    """Per cell, mode, band and contributor, their tracks in the span (filtered by mode and band if picked)."""
    statement = (
        select(RouteCell.cell, RouteCell.mode, RouteCell.hour_band, RouteCell.contributor, func.sum(RouteCell.tracks))
        .where(RouteCell.week >= query.first_week, RouteCell.week <= query.last_week)
        .group_by(RouteCell.cell, RouteCell.mode, RouteCell.hour_band, RouteCell.contributor)
    )
    if query.mode != ALL:
        statement = statement.where(RouteCell.mode == query.mode)
    if query.hour_band != ALL:
        statement = statement.where(RouteCell.hour_band == query.hour_band)
    return statement


def _protected(cell: str, mode: str, band: str, item: _Sum) -> GridCell:
    key = cellkey.cell_key(*(int(who, 16) % cellkey.MODULUS for who in item.contributors))
    largest = max(item.contributors.values())
    return GridCell(
        cell, mode, band,
        tracks=int(cellkey.perturb_magnitude(item.tracks, key, "route_tracks", largest, ndigits=None)),
        residents=cellkey.perturb_count(len(item.contributors), key, "route_residents"),
    )  # fmt: skip


def use(query: Query, actor: User | None, description: str, now: datetime | None = None) -> Grid:
    """The grid as staff see it, logged with every resident who shared tracks in the span (they see it, and their
    consent earns its dividend)."""
    grid = build(query, now)
    purpose = db.session.scalar(select(Purpose).where(Purpose.code == services.PURPOSE))
    if purpose is not None:
        logged = record_use(actor, purpose, [services.CATEGORY], services.LEVEL, query.as_dict(), grid.residents,
                            description=description)  # fmt: skip
        grid.export_id = logged.id
    return grid


def metadata(grid: Grid) -> dict:
    """How the grid was made and protected, for the exports."""
    return {
        "title": "Civiquest route grid",
        "filters": grid.query.as_dict(),
        "generated_at": grid.generated_at.isoformat(),
        "grid": f"H3 resolution {services.gpx.RESOLUTION}",
        "hour_bands": {name: f"{first:02d}:00-{end:02d}:00" for name, first, end in services.gpx.HOUR_BANDS},
        "small_cell_rule_k": grid.min_residents,
        "cells_left_out": grid.suppressed,
        "privacy": "only consented walking and cycling tracks; the cells around where each recording started and "
        "stopped are never counted; cells resting on fewer than k residents are left out; every other count "
        "carries cell-key noise",
        "perturbation": cellkey.parameters(),
    }
