"""Leaderboards: who stands where in a challenge, among neighbourhoods and over the season.

Plain functions over models and values; they flush and never commit (the request or job does).
Every ranking is standard competition ranking (1, 2, 2, 4), computed by `leaderboards.ranking`
from indexed, incrementally kept standings: enrollment scores and their histograms,
neighbourhood totals and season points.
"""

import functools
import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, exists, insert, literal, select, true

from accounts.models import User
from app import counters
from app.clock import local_date, week_start
from app.columns import utcnow
from app.extensions import db
from app.upserts import upsert_adding
from challenges import errors as challenge_errors
from challenges import participation, visibility
from challenges.models import Challenge, Enrollment, Status
from challenges.scoring import Format
from leaderboards import errors, histogram, ranking
from leaderboards.histogram import tally
from leaderboards.models import Period, RankSnapshot, SeasonPeriod, SeasonPoints

PER_PAGE = 50
MAX_PAGE = 1_000_000
ALL_TIME_START = date(1970, 1, 1)  # the one period_start of the all-time period
HISTORY_DAYS = 366


@dataclass(frozen=True)
class Board:
    """One page of a ranking, the size of the field and, for a ranked viewer, their rank."""

    entries: list[ranking.Entry]
    me: ranking.MyRank | None
    participants: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.participants / self.per_page))


# A period's head count changes whenever someone's first points of the week come: a row the whole city adds to.
counters.register(SeasonPeriod.__table__, ("period", "period_start"), ("participants",))


def _page_bounds(page: int, per_page: int) -> tuple[int, int]:
    page = min(max(page, 1), MAX_PAGE)
    return page, (page - 1) * per_page


# Challenges ---------------------------------------------------------------------------------


def get_challenge(challenge_id: int, viewer: User | None) -> Challenge:
    """A challenge whose leaderboard the viewer may see: drafts exist only for managers."""
    return visibility.get_visible_challenge(challenge_id, viewer)


def get_public_neighbourhood_challenge(challenge_id: int) -> Challenge:
    """A published challenge that ranks neighbourhoods, for the public embed."""
    challenge = visibility.get_challenge(challenge_id)
    if not visibility.is_public(challenge):
        raise challenge_errors.NotFound()
    if not ranks_neighbourhoods(challenge):
        raise errors.NoNeighbourhoodRanking()
    return challenge


def ranks_neighbourhoods(challenge: Challenge) -> bool:
    return challenge.format == Format.NEIGHBOURHOOD


def challenge_standings(challenge: Challenge) -> ranking.Standings:
    """Active participants by score, from ix_enrollment_leaderboard, counted with the score histogram."""
    return ranking.Standings(
        id=Enrollment.id,
        user_id=Enrollment.user_id,
        score=Enrollment.score,
        # `== true()` rather than the bare column: an equality the index can seek on.
        where=(Enrollment.challenge_id == challenge.id, Enrollment.active == true()),
        participants=challenge.participant_count,
        tally=functools.partial(tally, challenge.id),
    )


def viewer_enrollment(challenge: Challenge, viewer: User | None) -> Enrollment | None:
    """The viewer's enrollment if they take part (and have not left)."""
    if viewer is None:
        return None
    enrollment = participation.find_enrollment(challenge, viewer)
    return enrollment if enrollment is not None and enrollment.active else None


_LOOK_UP = object()


def challenge_board(
    challenge: Challenge, viewer: User | None, page: int = 1, per_page: int = PER_PAGE, enrollment=_LOOK_UP
) -> Board:
    """A page of the challenge's individual ranking, and the viewer's rank if they take part.

    `enrollment` is the viewer's (`viewer_enrollment`) when the caller has it already; else it is looked up.
    """
    page, offset = _page_bounds(page, per_page)
    standings = challenge_standings(challenge)
    viewer_id = viewer.id if viewer is not None else None
    if enrollment is _LOOK_UP:
        enrollment = viewer_enrollment(challenge, viewer)
    me = ranking.my_rank(standings, enrollment.id, enrollment.score, viewer) if enrollment else None
    entries = ranking.page(standings, offset, per_page, viewer_id)
    return Board(entries=entries, me=me, participants=standings.participants, page=page, per_page=per_page)


# Season -------------------------------------------------------------------------------------


def period_start(period: Period, day: date) -> date:
    """The first day of the week (Monday), month, or all time that `day` falls in."""
    if period == Period.WEEK:
        return week_start(day)
    if period == Period.MONTH:
        return day.replace(day=1)
    return ALL_TIME_START


def add_season_points(user_id: int, day: date, points: int) -> None:
    """Add (or, when negative, take back) points in the week, month and all-time periods of `day`.

    One upsert, so concurrent submissions of a resident add up instead of colliding; where a
    resident's points in a period turn positive (or back to none), the period's head count follows.
    """
    if not points:
        return
    rows = [{"user_id": user_id, "period": p.value, "period_start": period_start(p, day), "points": points}
            for p in Period]  # fmt: skip
    table = SeasonPoints.__table__
    keys, returning = ("user_id", "period", "period_start"), (table.c.period, table.c.period_start, table.c.points)
    totals = upsert_adding(table, rows, keys, "points", returning=returning).all()
    counts = [
        {"period": Period(period).value, "period_start": start, "participants": joined}
        for period, start, total in totals
        if (joined := (total > 0) - (total - points > 0))
    ]
    for count in counts:
        counters.add(SeasonPeriod.__table__, **count)
    histogram.shift_season([(period, _as_date(start), total - points, total) for period, start, total in totals])


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def current_period(period: Period, now: datetime | None = None) -> date:
    """The start of the period running now, in the city's calendar."""
    return period_start(period, local_date(now or utcnow()))


def season_standings(period: Period, start: date) -> ranking.Standings:
    """Residents with points in one period, from ix_season_points_period_points (period, period_start, points),
    counted with the period's score histogram."""
    where = (SeasonPoints.period == period, SeasonPoints.period_start == start)
    participants = db.session.scalar(
        select(SeasonPeriod.participants).where(SeasonPeriod.period == period, SeasonPeriod.period_start == start)
    )
    return ranking.Standings(
        SeasonPoints.id, SeasonPoints.user_id, SeasonPoints.points, where, participants or 0,
        tally=functools.partial(histogram.season_tally, period, start), floor=0,
    )  # fmt: skip


def season_board(
    period: Period, viewer: User | None, page: int = 1, per_page: int = PER_PAGE, now: datetime | None = None
) -> tuple[Board, date]:
    """A page of this week's, month's or all time's points ranking, the viewer's rank, and the period start."""
    start = current_period(period, now)
    page, offset = _page_bounds(page, per_page)
    standings = season_standings(period, start)
    viewer_id = viewer.id if viewer is not None else None
    mine = None
    if viewer is not None:
        mine = db.session.execute(
            select(SeasonPoints.id, SeasonPoints.points).where(
                SeasonPoints.user_id == viewer.id, SeasonPoints.period == period, SeasonPoints.period_start == start
            )
        ).first()
    me = ranking.my_rank(standings, mine.id, mine.points, viewer) if mine and mine.points > 0 else None
    entries = ranking.page(standings, offset, per_page, viewer_id)
    return Board(entries=entries, me=me, participants=standings.participants, page=page, per_page=per_page), start


def running_challenges(viewer: User | None, limit: int = 20) -> list[Challenge]:
    """Challenges running now, whose leaderboards the season page points to."""
    return list(db.session.scalars(visibility.list_challenges(viewer, status=Status.ACTIVE).limit(limit)))


# My rank over time --------------------------------------------------------------------------


def snapshot_ranks(now: datetime | None = None) -> int:
    """Record today's rank of every active participant of every running challenge; returns rows added.

    One INSERT … SELECT with a RANK() window (competition ranking, as on the pages); a day already
    recorded is left alone, so running it twice changes nothing.
    """
    today = local_date(now or utcnow())
    rank = db.func.rank().over(partition_by=Enrollment.challenge_id, order_by=Enrollment.score.desc())
    ranked = (
        select(Enrollment.id.label("enrollment_id"), Enrollment.score.label("score"), rank.label("rank"))
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Challenge.status == Status.ACTIVE, Enrollment.active == true())
        .subquery()
    )
    recorded = exists().where(RankSnapshot.enrollment_id == ranked.c.enrollment_id, RankSnapshot.day == today)
    rows = select(ranked.c.enrollment_id, literal(today, Date()), ranked.c.rank, ranked.c.score).where(~recorded)
    statement = insert(RankSnapshot.__table__).from_select(["enrollment_id", "day", "rank", "score"], rows)
    return db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount


def rank_history(enrollment: Enrollment) -> list[tuple[date, int, float]]:
    """(day, rank, score) of a participant's daily snapshots, oldest first."""
    rows = db.session.execute(
        select(RankSnapshot.day, RankSnapshot.rank, RankSnapshot.score)
        .where(RankSnapshot.enrollment_id == enrollment.id)
        .order_by(RankSnapshot.day.desc())
        .limit(HISTORY_DAYS)
    ).all()
    return [tuple(row) for row in reversed(rows)]
