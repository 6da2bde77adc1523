"""Where points and badges are earned: activity, challenge results, streaks and data sharing.

Each function is safe to call twice for the same event: ledger source keys and badge awards
are unique, so a repeated signal or a job run twice pays nothing twice. What a challenge's
submissions and results are worth comes in the signals' payloads (app.signals); nothing here
reads the challenges' tables.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.clock import city_zone, week_start
from app.columns import utcnow
from app.extensions import db
from app.signals import ChallengeClosed, Finisher, SubmissionScored
from challenges.activity import active_residents
from challenges.scoring import Format
from rewards import ledger
from rewards.badges import services as badges
from rewards.models import BadgeRule, EntryKind, LedgerEntry

STREAK_WEEKS = 4
STREAK_POINTS = 50
TOP_BADGE_RANK = 10


def settle_submission(scored: SubmissionScored) -> None:
    """Credit (or take back) what a submission is now worth; the first counted one earns a badge."""
    # The activity's day goes with the entry: the history shows it beside the booking, which may be days later.
    params = {"challenge": scored.challenge_title, "challenge_id": scored.challenge_id, "day": scored.day.isoformat()}
    source = ("submission", scored.submission_id)
    if scored.new:  # stored in this transaction: nothing credited for it yet, and its first key is free
        if scored.points > 0:
            ledger.credit_first(scored.user_id, scored.points, EntryKind.ACTIVITY, "activity", source, params=params)
    else:
        ledger.settle(scored.user_id, scored.points, EntryKind.ACTIVITY, "activity", source,
                      reversal_reason="rescored", params=params)  # fmt: skip
    # The badge's input is "has counted points": asked only when the resident's points in a challenge turn positive.
    if scored.points > 0 and scored.counted and scored.first_points:
        badges.award(scored.user_id, BadgeRule.FIRST_SUBMISSION, {"challenge_id": scored.challenge_id})


# Challenge results ------------------------------------------------------------------------------


def pay_challenge(closed: ChallengeClosed, now: datetime | None = None) -> int:
    """Pay a closed challenge's completion bonuses and prizes and award its badges; returns entries made."""
    params = {"challenge": closed.title, "challenge_id": closed.challenge_id}
    ledger.lock_accounts(finisher.user_id for finisher in closed.finishers)  # everyone paid below is one of them
    paid = 0
    for finisher in closed.finishers:
        reached = closed.completion_goal is not None and finisher.score >= closed.completion_goal
        key = f"challenge:{closed.challenge_id}:completion:{finisher.user_id}"
        if reached and _credit_new(finisher.user_id, closed.completion_bonus, EntryKind.BONUS, "completion",
                                   ("challenge", closed.challenge_id), key, params=params, now=now):  # fmt: skip
            paid += 1
        if reached or (closed.completion_goal is None and finisher.score > 0):
            badges.award(finisher.user_id, BadgeRule.CHALLENGE_COMPLETED, {"challenge_id": closed.challenge_id}, now)
    if closed.format == Format.INDIVIDUAL:
        paid += _pay_individual_places(closed, params, now)
    elif closed.format == Format.NEIGHBOURHOOD:
        paid += _pay_neighbourhood_places(closed, params, now)
    return paid


def _credit_new(user_id: int, amount: int, kind: EntryKind, reason: str, source, key: str, **extra) -> bool:
    """Credit once; True only when this call made the entry, so a second run counts nothing."""
    return amount > 0 and ledger.post(user_id, amount, kind, reason, source, key, **extra)[1]


def _placement_points(closed: ChallengeClosed, place: int) -> int:
    points = closed.placement_points
    return int(points[place - 1] or 0) if place <= len(points) else 0


def _in_top(finisher: Finisher) -> bool:
    """Among the top 10 by final rank, with something scored."""
    return finisher.final_rank is not None and finisher.final_rank <= TOP_BADGE_RANK and finisher.score > 0


def _pay_individual_places(closed: ChallengeClosed, params: dict, now) -> int:
    """Places 1–3 by the frozen final rank (ties share the place and its prize); top 10 earn a badge."""
    paid = 0
    for finisher in filter(_in_top, closed.finishers):
        user_id, place = finisher.user_id, finisher.final_rank
        badges.award(user_id, BadgeRule.TOP_10, {"challenge_id": closed.challenge_id, "rank": place}, now)
        amount = _placement_points(closed, place)
        if _credit_new(user_id, amount, EntryKind.PRIZE, "placement", ("challenge", closed.challenge_id),
                       f"challenge:{closed.challenge_id}:placement:{user_id}", params={**params, "place": place},
                       now=now):  # fmt: skip
            paid += 1
    return paid


def _pay_neighbourhood_places(closed: ChallengeClosed, params: dict, now) -> int:
    """Every participant of the neighbourhoods placed 1st–3rd gets that place's prize; the winners a badge."""
    paid = 0
    for place in closed.neighbourhood_places:
        if place.rank > 3:
            continue
        members = [f.user_id for f in closed.finishers if f.neighbourhood_id == place.neighbourhood_id]
        amount = _placement_points(closed, place.rank)
        for user_id in members:
            if place.rank == 1:
                badges.award(user_id, BadgeRule.NEIGHBOURHOOD_WINNER, {"challenge_id": closed.challenge_id}, now)
            if _credit_new(user_id, amount, EntryKind.PRIZE, "neighbourhood_placement",
                           ("challenge", closed.challenge_id), f"challenge:{closed.challenge_id}:placement:{user_id}",
                           params={**params, "place": place.rank}, now=now):  # fmt: skip
                paid += 1
    return paid


# Streaks ---------------------------------------------------------------------------------------


def _active_residents(start: date) -> set[int]:
    """Residents with counted activity in the city-calendar week starting `start`."""
    zone = city_zone()
    begin = datetime.combine(start, datetime.min.time(), zone)
    end = datetime.combine(start + timedelta(days=7), datetime.min.time(), zone)
    return active_residents(begin, end)


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
