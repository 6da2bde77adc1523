"""The log of deleted accounts."""

from datetime import date

from sqlalchemy import JSON, Date
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class AccountDeletion(db.Model):
    """One account deleted by its owner, logged without anything about whom: the day and what was erased."""

    __tablename__ = "account_deletion"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only the day, not the moment: a timestamp could be matched with the anonymised account's rows.
    deleted_on: Mapped[date] = mapped_column(Date, index=True)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)  # rows erased or ended, by kind
