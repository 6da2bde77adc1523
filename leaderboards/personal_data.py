"""The personal data leaderboards hold about a resident: daily ranks in each challenge and season points.

One of the domains' `personal_data` modules that privacy/ asks for "download my data" and "delete my
account" (the list and its order: privacy/holders.py).
"""

from datetime import datetime

from sqlalchemy import select, update

from accounts.models import User
from app.extensions import db
from app.personal_data import ExportLinks, as_json
from challenges import personal_data as challenges
from leaderboards import histogram
from leaderboards.models import RankSnapshot, SeasonPeriod, SeasonPoints


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """The enrollments (as challenges write them) with each one's daily rank history, and the season points."""
    enrollments = challenges.enrollments(user)
    history = _rank_history([row["id"] for row in enrollments])
    return {
        "enrollments.json": as_json([row | {"rank_history": history[row["id"]]} for row in enrollments]),
        "season_points.json": as_json(_season_points(user)),
    }


def _rank_history(enrollment_ids: list[int]) -> dict[int, list[dict]]:
    history: dict[int, list[dict]] = {ident: [] for ident in enrollment_ids}
    rows = db.session.scalars(
        select(RankSnapshot).where(RankSnapshot.enrollment_id.in_(enrollment_ids)).order_by(RankSnapshot.day)
    )
    for row in rows:
        history[row.enrollment_id].append({"day": row.day, "rank": row.rank, "score": row.score})
    return history


def _season_points(user: User) -> list[dict]:
    query = select(SeasonPoints).where(SeasonPoints.user_id == user.id)
    rows = db.session.scalars(query.order_by(SeasonPoints.period, SeasonPoints.period_start))
    return [{"period": row.period, "period_start": row.period_start, "points": row.points} for row in rows]


def erase(user: User, now: datetime) -> dict[str, int]:
    """Take the resident out of the season rankings: their rows go, each period counts one resident less and
    their bucket one entry less.

    Daily ranks in challenges stay with the (anonymised) enrollment: they are the closed challenges' history.
    """
    rows = db.session.scalars(select(SeasonPoints).where(SeasonPoints.user_id == user.id)).all()
    for row in rows:
        if row.points > 0:
            db.session.execute(
                update(SeasonPeriod)
                .where(SeasonPeriod.period == row.period, SeasonPeriod.period_start == row.period_start)
                .values(participants=SeasonPeriod.participants - 1)
            )
        db.session.delete(row)
    db.session.flush()
    histogram.shift_season([(row.period, row.period_start, row.points, 0) for row in rows])  # out of the buckets
    return {"season_points": len(rows)}
