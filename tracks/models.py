"""The route grid: how many consented tracks passed each cell, per mode, hour band and week — never a track.

`RouteCell` has one row per (cell, week, mode, hour band, contributor). The contributor is a keyed hash of the
resident and the cell (`tracks.services.contributor`): the same resident in the same cell always gives the same
value, so distinct residents per cell can be counted for the small-cell rule, but two rows of different cells
cannot be joined into a route, and no row holds a resident's id. With the key, erasure finds a resident's rows
again. `RouteWeek` says only how many tracks a resident shared in a week (no place): what the data dividend
and the data use log need.
"""

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class RouteCell(db.Model):
    """One contributor's consented tracks through an H3 cell in one week, mode and hour band."""

    __tablename__ = "route_cell"

    cell: Mapped[str] = mapped_column(String(16), primary_key=True)  # H3 index, resolution 9
    week: Mapped[date] = mapped_column(Date, primary_key=True, index=True)  # the ISO week's Monday
    mode: Mapped[str] = mapped_column(String(20), primary_key=True)
    hour_band: Mapped[str] = mapped_column(String(10), primary_key=True)
    contributor: Mapped[str] = mapped_column(String(32), primary_key=True)  # keyed hash of resident and cell
    tracks: Mapped[int] = mapped_column(Integer, default=1)


class RouteWeek(db.Model):
    """How many tracks a resident added to the route grid in a week: no place, no time of day."""

    __tablename__ = "route_week"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    tracks: Mapped[int] = mapped_column(Integer, default=0)


class RouteUpload(db.Model):
    """A track already counted on the grid, as a keyed hash of the resident, its start and its length: so a file
    sent twice counts once. It says nothing about where the track went."""

    __tablename__ = "route_upload"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
