"""The weekly digest: last week's points, each active challenge's score and rank, the neighbourhood, a tip.

Sent on Monday about the week that just ended, one per resident and week (its key names the week),
to residents taking part in a running challenge. It stores numbers and names only; the reader's
language puts them into words (see nudges.display).
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.clock import local_date
from app.columns import utcnow
from app.extensions import db
from challenges import results
from challenges.models import Challenge, Enrollment, Status
from challenges.scoring import Category
from leaderboards import ranking
from leaderboards import services as leaderboards
from leaderboards.models import RankSnapshot
from notifications.models import Kind
from notifications.services import notify
from nudges import display
from nudges.services import last_week, week_label
from rewards.models import EARNING_KINDS, LedgerEntry

LINK = "/challenges"


def points_between(user_id: int, start: datetime, end: datetime) -> int:
    """Points the resident earned (less any taken back) from `start` until `end`."""
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.user_id == user_id, LedgerEntry.kind.in_(EARNING_KINDS),
            LedgerEntry.created_at >= start, LedgerEntry.created_at < end,
        )
    )  # fmt: skip


def rank_a_week_ago(enrollment: Enrollment, now: datetime) -> int | None:
    """The rank in the latest daily snapshot at least a week old, if there is one."""
    return db.session.scalar(
        select(RankSnapshot.rank)
        .where(RankSnapshot.enrollment_id == enrollment.id, RankSnapshot.day <= local_date(now) - timedelta(days=7))
        .order_by(RankSnapshot.day.desc())
        .limit(1)
    )


def neighbourhood_standing(challenge: Challenge, neighbourhood_id: int | None, rankings: dict | None = None):
    """Where the neighbourhood stands among ranked ones, and how far from the next one; None when unranked.

    `rankings` keeps each challenge's ranking for the run, so it is computed once, not once per resident.
    """
    if neighbourhood_id is None or not leaderboards.ranks_neighbourhoods(challenge):
        return None
    rankings = {} if rankings is None else rankings
    if challenge.id not in rankings:
        rankings[challenge.id] = [s for s in results.neighbourhood_ranking(challenge) if s.ranked]
    ranked = rankings[challenge.id]
    mine = next((standing for standing in ranked if standing.neighbourhood_id == neighbourhood_id), None)
    if mine is None:
        return None
    place = {"rank": mine.rank, "count": len(ranked), "gap": 0.0, "other": None}
    if mine.rank > 1:  # the next neighbourhood above: the one to catch up with
        above = [standing for standing in ranked if standing.score > mine.score][-1]
        place.update(other=above.name, gap=round(100 * (above.score - mine.score) / above.score, 1))
    elif len(ranked) > 1 and ranked[1].score < mine.score:
        place.update(other=ranked[1].name, gap=round(100 * (mine.score - ranked[1].score) / mine.score, 1))
    return place


def challenge_item(enrollment: Enrollment, now: datetime, rankings: dict | None = None) -> dict:
    """One challenge's line of the digest, as numbers and names."""
    challenge = enrollment.challenge
    standings = leaderboards.challenge_standings(challenge)
    mine = ranking.my_rank(standings, enrollment.id, enrollment.score, enrollment.user)
    before = rank_a_week_ago(enrollment, now)
    return {
        "challenge": challenge.title, "score": round(enrollment.score, 1), "rank": mine.rank,
        "participants": mine.participants, "change": None if before is None else before - mine.rank,
        "neighbourhood": neighbourhood_standing(challenge, enrollment.neighbourhood_id, rankings),
    }  # fmt: skip


def choose_tip(user_id: int, categories: set[Category], now: datetime) -> str:
    """A tip that fits the resident's challenges, a different one each week."""
    pool = display.MOBILITY_TIPS if categories == {Category.MOBILITY} else display.ENERGY_TIPS
    week = local_date(now).isocalendar()[1]
    return pool[(week + user_id) % len(pool)]


def active_enrollments() -> dict[int, list[Enrollment]]:
    """Residents taking part in a running challenge, with those enrollments."""
    query = (
        select(Enrollment)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.active, Challenge.status == Status.ACTIVE)
        .order_by(Enrollment.user_id, Challenge.ends_at, Challenge.id)
    )
    by_user = defaultdict(list)
    for enrollment in db.session.scalars(query):
        by_user[enrollment.user_id].append(enrollment)
    return by_user


def send_digests(now: datetime | None = None) -> int:
    """Send last week's digest to every resident in a running challenge; how many were new."""
    now = now or utcnow()
    start, end = last_week(now)
    sent, rankings = 0, {}
    for user_id, enrollments in active_enrollments().items():
        params = {
            "points": points_between(user_id, start, end),
            "challenges": [challenge_item(enrollment, now, rankings) for enrollment in enrollments],
            "tip": choose_tip(user_id, {enrollment.challenge.category for enrollment in enrollments}, now),
        }
        key = f"digest:{user_id}:{week_label(start)}"
        sent += notify(user_id, Kind.DIGEST, "digest_summary", key, params, link=LINK, now=now)
    return sent
