"""The resident's share of the route grid: exported as weeks and counts, and erased from the grid with them."""

from datetime import datetime

from sqlalchemy import select

from accounts.models import User
from app.extensions import db
from app.personal_data import ExportLinks, as_json
from tracks.models import RouteWeek
from tracks.services import erase_contributions


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """routes.json: how many tracks the resident added to the route grid, per week (the grid holds no more of them
    that could be told apart from anyone else's)."""
    weeks = db.session.scalars(select(RouteWeek).where(RouteWeek.user_id == user.id).order_by(RouteWeek.week)).all()
    data = {"weeks": [{"week": week.week, "tracks": week.tracks} for week in weeks],
            "note": "The tracks themselves were never stored; the grid keeps counts per cell without you."}  # fmt: skip
    return {"routes.json": as_json(data)}


def erase(user: User, now: datetime) -> dict[str, int]:
    """The resident's counts leave the grid (found through the keyed hash), with their weeks and upload marks."""
    return {"route_cells": erase_contributions(user.id)}
