"""The personal data community projects hold about a resident: their pledges.

One of the domains' `personal_data` modules that privacy/ asks for "download my data" and "delete my
account" (the list and its order: privacy/holders.py).
"""

from datetime import datetime

from sqlalchemy import update

from accounts.models import User
from accounts.personal_data import anonymous_owner
from app.bilingual import text
from app.extensions import db
from app.personal_data import ExportLinks, as_json
from projects import services
from projects.models import Pledge


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """The resident's pledges: to which project, what was offered and taken, whether named, whether returned."""
    rows = [
        {"project": text(row.project, "title"), "project_status": row.project.status, "offered": row.offered,
         "amount": row.amount, "show_name": row.show_name, "pledged_at": row.created_at,
         "returned_at": row.refunded_at}
        for row in db.session.scalars(services.pledges_of(user))
    ]  # fmt: skip
    return {"pledges.json": as_json(rows)}


def erase(user: User, now: datetime) -> dict[str, int]:
    """Move the pledges to the anonymous owner, no longer named: the projects' totals and the books stay right
    (their ledger entries moved with rewards' erasure), and nothing kept links to the person."""
    moved = db.session.execute(
        update(Pledge).where(Pledge.user_id == user.id)
        .values(user_id=anonymous_owner().id, show_name=False, idempotency_key=None)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    return {"pledges_unlinked": moved}
