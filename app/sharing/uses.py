"""The data use log: every export or job that used personal data, and whose data it used.

Written only through `record_use`; there is no service to change or delete an entry.
"""

from collections.abc import Iterable

from sqlalchemy import insert, select, text

from app.accounts.models import User
from app.extensions import db
from app.sharing.models import DataUse, DataUseResident, Level, Purpose

BATCH = 5_000


def record_use(
    actor: User | None, purpose: Purpose, categories: list[str], level: Level, filters: dict,
    resident_ids: Iterable[int], excluded_count: int = 0, description: str = "",
) -> DataUse:  # fmt: skip
    """Log one use of personal data with the residents it included (each sees it on their data page)."""
    ids = sorted(set(resident_ids))
    use = DataUse(
        actor_id=actor.id if actor else None, actor_label=actor.pseudonym if actor else "scheduler",
        organisation=purpose.organisation, purpose=purpose, categories=list(categories), level=Level(level),
        filters=filters, resident_count=len(ids), excluded_count=excluded_count, description=description,
    )  # fmt: skip
    db.session.add(use)
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        # One statement with an array beats tens of thousands of row inserts for a city-wide export.
        db.session.execute(
            text("INSERT INTO data_use_resident (data_use_id, user_id) SELECT :use, unnest(CAST(:ids AS integer[]))"),
            {"use": use.id, "ids": ids},
        )
        return use
    for start in range(0, len(ids), BATCH):
        rows = [{"data_use_id": use.id, "user_id": user_id} for user_id in ids[start : start + BATCH]]
        db.session.execute(insert(DataUseResident), rows)
    return use


def uses_of(user: User):
    """Every use of this resident's data, newest first."""
    return (
        select(DataUse)
        .join(DataUseResident, DataUseResident.data_use_id == DataUse.id)
        .where(DataUseResident.user_id == user.id)
        .order_by(DataUse.created_at.desc(), DataUse.id.desc())
    )


def all_uses():
    """The whole log, newest first, for staff."""
    return select(DataUse).order_by(DataUse.created_at.desc(), DataUse.id.desc())
