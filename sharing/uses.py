"""The data use log: every export or job that used personal data, and whose data it used.

Written only through `record_use`; there is no service to change or delete an entry.
"""

import json
from collections.abc import Iterable

from sqlalchemy import select, text

from accounts.models import User
from app.extensions import db
from sharing.models import DataUse, DataUseResident, Level, Purpose


def record_use(
    actor: User | None, purpose: Purpose, categories: list[str], level: Level, filters: dict,
    resident_ids: Iterable[int], excluded_count: int = 0, description: str = "", actor_label: str | None = None,
) -> DataUse:  # fmt: skip
    """Log one use of personal data with the residents it included (each sees it on their data page).

    `actor_label` names an actor with no account (an organisation client); otherwise the actor's pseudonym does.
    """
    actor_label = actor_label or (actor.pseudonym if actor else "scheduler")
    ids = sorted(set(resident_ids))
    use = DataUse(
        actor_id=actor.id if actor else None, actor_label=actor_label[:120],
        organisation_en=purpose.organisation_en, organisation_de=purpose.organisation_de, purpose=purpose,
        categories=list(categories), level=Level(level),
        filters=filters, resident_count=len(ids), excluded_count=excluded_count, description=description,
    )  # fmt: skip
    db.session.add(use)
    db.session.flush()
    # One statement with the ids as an array (PostgreSQL) or a JSON list (SQLite) beats tens of thousands of row
    # inserts for a city-wide export.
    if db.session.get_bind().dialect.name == "postgresql":
        statement = "INSERT INTO data_use_resident (data_use_id, user_id) SELECT :use, unnest(CAST(:ids AS integer[]))"
        db.session.execute(text(statement), {"use": use.id, "ids": ids})
    else:
        statement = "INSERT INTO data_use_resident (data_use_id, user_id) SELECT :use, value FROM json_each(:ids)"
        db.session.execute(text(statement), {"use": use.id, "ids": json.dumps(ids)})
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
