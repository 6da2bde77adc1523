"""Where points and badges are earned: activity, challenge results, streaks and data sharing.

Each function is safe to call twice for the same event: ledger source keys and badge awards
are unique, so a repeated signal or a job run twice pays nothing twice.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.clock import city_zone, week_start
from app.columns import utcnow
from app.extensions import db
from challenges.models import Challenge, Enrollment, Submission, SubmissionStatus
from challenges.scoring import Format
from leaderboards.services import neighbourhood_ranking
from rewards import ledger
from rewards.badges import services as badges
from rewards.models import BadgeRule, EntryKind, LedgerEntry

STREAK_WEEKS = 4
STREAK_POINTS = 50
TOP_BADGE_RANK = 10


def settle_submission(submission: Submission) -> None:
    """Credit (or take back) what a submission is now worth; the first counted one earns a badge."""
    challenge = submission.challenge
    params = {"challenge": challenge.title, "challenge_id": challenge.id}
    ledger.settle(submission.user_id, submission.points, EntryKind.ACTIVITY, "activity", ("submission", submission.id),
                  reversal_reason="rescored", params=params)  # fmt: skip
    if submission.points > 0 and submission.status == SubmissionStatus.ACCEPTED:
        badges.award(submission.user_id, BadgeRule.FIRST_SUBMISSION, {"challenge_id": challenge.id})


# Challenge results ------------------------------------------------------------------------------


def pay_challenge(challenge: Challenge, now: datetime | None = None) -> int:
    """Pay a closed challenge's completion bonuses and prizes and award its badges; returns entries made."""
    params = {"challenge": challenge.title, "challenge_id": challenge.id}
    finishers = _finishers(challenge)
    ledger.lock_accounts(enrollment.user_id for enrollment in finishers)  # everyone paid below is one of them
    paid = 0
    for enrollment in finishers:
        reached = challenge.completion_goal is not None and enrollment.score >= challenge.completion_goal
        key = f"challenge:{challenge.id}:completion:{enrollment.user_id}"
        if reached and _credit_new(enrollment.user_id, challenge.completion_bonus, EntryKind.BONUS, "completion",
                                   ("challenge", challenge.id), key, params=params, now=now):  # fmt: skip
            paid += 1
        if reached or (challenge.completion_goal is None and enrollment.score > 0):
            badges.award(enrollment.user_id, BadgeRule.CHALLENGE_COMPLETED, {"challenge_id": challenge.id}, now)
    if challenge.format == Format.INDIVIDUAL:
        paid += _pay_individual_places(challenge, params, now)
    elif challenge.format == Format.NEIGHBOURHOOD:
        paid += _pay_neighbourhood_places(challenge, params, now)
    return paid


def _finishers(challenge: Challenge) -> list[Enrollment]:
    return list(
        db.session.scalars(
            select(Enrollment).where(Enrollment.challenge_id == challenge.id, Enrollment.active).order_by(Enrollment.id)
        )
    )


def _credit_new(user_id: int, amount: int, kind: EntryKind, reason: str, source, key: str, **extra) -> bool:
    """Credit once; True only when this call made the entry, so a second run counts nothing."""
    return amount > 0 and ledger.post(user_id, amount, kind, reason, source, key, **extra)[1]


def _placement_points(challenge: Challenge, place: int) -> int:
    points = challenge.placement_points or []
    return int(points[place - 1] or 0) if place <= len(points) else 0


def _pay_individual_places(challenge: Challenge, params: dict, now) -> int:
    """Places 1–3 by the frozen final rank (ties share the place and its prize); top 10 earn a badge."""
    paid = 0
    top = db.session.execute(
        select(Enrollment.user_id, Enrollment.final_rank).where(
            Enrollment.challenge_id == challenge.id, Enrollment.active, Enrollment.final_rank <= TOP_BADGE_RANK,
            Enrollment.score > 0,
        )
    ).all()  # fmt: skip
    for user_id, place in top:
        badges.award(user_id, BadgeRule.TOP_10, {"challenge_id": challenge.id, "rank": place}, now)
        amount = _placement_points(challenge, place)
        if _credit_new(user_id, amount, EntryKind.PRIZE, "placement", ("challenge", challenge.id),
                       f"challenge:{challenge.id}:placement:{user_id}", params={**params, "place": place},
                       now=now):  # fmt: skip
            paid += 1
    return paid


def _pay_neighbourhood_places(challenge: Challenge, params: dict, now) -> int:
    """Every participant of the neighbourhoods placed 1st–3rd gets that place's prize; the winners a badge."""
    paid = 0
    for standing in neighbourhood_ranking(challenge):
        if not standing.ranked or standing.rank > 3:
            continue
        members = db.session.scalars(
            select(Enrollment.user_id).where(
                Enrollment.challenge_id == challenge.id, Enrollment.active,
                Enrollment.neighbourhood_id == standing.neighbourhood_id,
            )
        ).all()  # fmt: skip
        amount = _placement_points(challenge, standing.rank)
        for user_id in members:
            if standing.rank == 1:
                badges.award(user_id, BadgeRule.NEIGHBOURHOOD_WINNER, {"challenge_id": challenge.id}, now)
            if _credit_new(user_id, amount, EntryKind.PRIZE, "neighbourhood_placement", ("challenge", challenge.id),
                           f"challenge:{challenge.id}:placement:{user_id}", params={**params, "place": standing.rank},
                           now=now):  # fmt: skip
                paid += 1
    return paid


# Streaks ---------------------------------------------------------------------------------------


def _active_residents(start: date) -> set[int]:
    """Residents with counted activity in the city-calendar week starting `start`."""
    zone = city_zone()
    begin = datetime.combine(start, datetime.min.time(), zone)
    end = datetime.combine(start + timedelta(days=7), datetime.min.time(), zone)
    return set(
        db.session.scalars(
            select(Submission.user_id)
            .distinct()
            .where(
                Submission.status == SubmissionStatus.ACCEPTED,
                Submission.created_at >= begin,
                Submission.created_at < end,
            )
        )
    )


def award_streaks(now: datetime | None = None) -> int:
    """Credit residents active in each of the last 4 finished weeks, once per 4-week block.

    A block that overlaps one already paid earns nothing, so 8 active weeks in a row pay twice,
    not five times. Returns how many streaks were credited.
    """
    now = now or utcnow()
    last_week = week_start(now.astimezone(city_zone()).date()) - timedelta(days=7)
    weeks = [last_week - timedelta(days=7 * back) for back in range(STREAK_WEEKS)]
    streaking = set.intersection(*(_active_residents(start) for start in weeks))
    paid = 0
    for user_id in sorted(streaking):
        if _streak_paid_since(user_id, weeks[-1]):
            continue
        key = f"streak:{user_id}:{last_week.isoformat()}"
        paid += _credit_new(user_id, STREAK_POINTS, EntryKind.STREAK, "streak", ("streak", None), key,
                            params={"weeks": STREAK_WEEKS}, now=now)  # fmt: skip
        badges.award(user_id, BadgeRule.STREAK, {"week": last_week.isoformat()}, now)
    return paid


def _streak_paid_since(user_id: int, first_week: date) -> bool:
    """Whether a streak ending in one of the weeks from `first_week` on was already credited."""
    keys = [f"streak:{user_id}:{(first_week + timedelta(days=7 * i)).isoformat()}" for i in range(STREAK_WEEKS - 1)]
    return db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.source_key.in_(keys)).limit(1)) is not None


# Data sharing ----------------------------------------------------------------------------------


def hold_accounts(user_ids) -> None:
    """For other domains about to credit many residents: take their ledger locks in the one safe order."""
    ledger.lock_accounts(user_ids)


def credit_data_sharing(user_id: int, amount: int, purpose: str, source_id: int, period: str, now=None):
    """The data dividend, for the data-sharing domain: one entry per consent and period, never twice."""
    entry = ledger.credit(user_id, amount, EntryKind.DATA_CREDIT, "data_credit", ("consent", source_id),
                          f"data:{source_id}:{period}", params={"purpose": purpose}, now=now)  # fmt: skip
    badges.award(user_id, BadgeRule.DATA_SHARER, {"consent_id": source_id}, now)
    return entry
