"""The personal data statistics hold about a resident: how much of their privacy budget open data has spent.

One of the domains' `personal_data` modules that privacy/ asks for "download my data" and "delete my
account" (the list and its order: privacy/holders.py). The record key (on the account) is erased with
the account by accounts.
"""

from datetime import datetime

from sqlalchemy import select

from accounts.models import User
from app.extensions import db
from app.personal_data import ExportLinks, as_json, delete_rows
from stats.models import PrivacySpend


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """Per year, the epsilon of the resident's data spent by open-data releases, and in how many."""
    rows = db.session.scalars(select(PrivacySpend).where(PrivacySpend.user_id == user.id).order_by(PrivacySpend.year))
    return {"privacy_budget.json": as_json([{"year": r.year, "epsilon_spent": r.spent_epsilon,
                                             "releases": r.releases} for r in rows])}  # fmt: skip


def erase(user: User, now: datetime) -> dict[str, int]:
    """Delete the budget rows: no release uses this resident's data any more."""
    return {"privacy_budget": delete_rows(PrivacySpend, PrivacySpend.user_id == user.id)}
