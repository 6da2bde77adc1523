"""Rate limits counted in the app's own database, so that every process counts against the same limit.

The limits library keeps its counters in process memory by default: with several gunicorn workers each
counted alone, and an attacker got the limit once per worker. With REDIS_URL the counters live in Redis;
without it they live here, in `rate_limit_counter` (the embedded default, `RATELIMIT_STORAGE_URI =
"civiquest+db://"`). Each count is one atomic INSERT … ON CONFLICT DO UPDATE, committed on a connection of
its own: a refused log-in rolls its request back, but never its count. Keys are stored as their SHA-256, so
the table holds no addresses or email addresses. Only fixed windows are supported (Flask-Limiter's default).
"""

import hashlib
import time

from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

SCHEME = "civiquest+db"


class RateLimitCounter(db.Model):
    """Requests counted for one limit and key in the current window, which ends at `expires_at` (epoch seconds)."""

    __tablename__ = "rate_limit_counter"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """A limits storage on the app's database (the engine of the app handling the request)."""

    STORAGE_SCHEME = [SCHEME]

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` more in the key's window, starting a new window of `expiry` seconds if it ended."""
        now, table = time.time(), RateLimitCounter.__table__
        with db.engine.begin() as connection:
            insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[connection.dialect.name](table)
            ended = table.c.expires_at <= now
            statement = insert.values(key_hash=_hash(key), count=amount, expires_at=now + expiry).on_conflict_do_update(
                index_elements=[table.c.key_hash],
                set_={
                    "count": case((ended, amount), else_=table.c.count + amount),
                    "expires_at": case((ended, now + expiry), else_=table.c.expires_at),
                },
            )
            return connection.execute(statement.returning(table.c.count)).scalar_one()

    def _row(self, key: str):
        with db.engine.connect() as connection:
            query = select(RateLimitCounter.count, RateLimitCounter.expires_at)
            return connection.execute(
                query.where(RateLimitCounter.key_hash == _hash(key), RateLimitCounter.expires_at > time.time())
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        with db.engine.connect() as connection:
            connection.execute(select(1))
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.key_hash == _hash(key)))
