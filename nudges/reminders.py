"""Challenge reminders, and news of badges, streaks, rewards and vouchers.

Each nudge has a key naming what it is about, so a daily job may look back over several days (and
catch up after downtime) without telling anything twice. A nudge held back by the weekly quiet limit
stores nothing, so it may still go out on a later day while it is news.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.columns import utcnow
from app.extensions import db
from challenges.models import Challenge, Enrollment, Status, Submission
from notifications.models import Kind
from notifications.services import notify
from rewards.earnings import STREAK_WEEKS
from rewards.models import BadgeAward, EntryKind, LedgerEntry, Reward, Voucher, VoucherStatus

STARTING_WITHIN = timedelta(days=2)
ENDING_WITHIN = timedelta(days=3)
SILENT_FOR = timedelta(days=10)
VOUCHER_WITHIN = timedelta(days=7)
NEWS_LOOKBACK = timedelta(days=7)  # badges, streaks and rewards newer than this are still news


def _reminder(user_id: int, message: str, key: str, params: dict, link: str, now: datetime) -> bool:
    return notify(user_id, Kind.CHALLENGE_REMINDERS, message, key, params, link=link, now=now)


def _news(user_id: int, message: str, key: str, params: dict, link: str, now: datetime) -> bool:
    return notify(user_id, Kind.REWARDS, message, key, params, link=link, now=now)


# Challenge reminders ----------------------------------------------------------------------------


def starting_soon(now: datetime) -> int:
    """Tell residents about a challenge starting within two days in a category they joined before."""
    sent = 0
    upcoming = select(Challenge).where(
        Challenge.status == Status.SCHEDULED, Challenge.starts_at > now, Challenge.starts_at <= now + STARTING_WITHIN
    )
    for challenge in db.session.scalars(upcoming.order_by(Challenge.starts_at, Challenge.id)):
        joined_this = select(Enrollment.user_id).where(Enrollment.challenge_id == challenge.id)
        fans = (
            select(Enrollment.user_id)
            .join(Challenge, Challenge.id == Enrollment.challenge_id)
            .where(Challenge.category == challenge.category, Challenge.id != challenge.id)
            .where(Enrollment.user_id.not_in(joined_this))
            .distinct()
        )
        params = {"challenge": challenge.title, "starts_at": challenge.starts_at.isoformat()}
        for user_id in db.session.scalars(fans.order_by(Enrollment.user_id)):
            key = f"challenge-starting:{challenge.id}:{user_id}"
            sent += _reminder(user_id, "challenge_starting", key, params, f"/challenges/{challenge.id}", now)
    return sent


def _running_enrollments(*conditions):
    return (
        select(Enrollment)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.active, Challenge.status == Status.ACTIVE, *conditions)
        .order_by(Enrollment.id)
    )


def ending_soon(now: datetime) -> int:
    """Remind participants that their challenge ends within three days."""
    sent = 0
    query = _running_enrollments(Challenge.ends_at > now, Challenge.ends_at <= now + ENDING_WITHIN)
    for enrollment in db.session.scalars(query):
        challenge = enrollment.challenge
        params = {"challenge": challenge.title, "ends_at": challenge.ends_at.isoformat()}
        key = f"challenge-ending:{challenge.id}:{enrollment.user_id}"
        sent += _reminder(enrollment.user_id, "challenge_ending", key, params, f"/challenges/{challenge.id}", now)
    return sent


def silent(now: datetime) -> int:
    """Remind participants who have sent nothing for ten days; once per silence (the key names its start)."""
    sent = 0
    last = (
        select(Submission.enrollment_id, func.max(Submission.created_at).label("last_at"))
        .group_by(Submission.enrollment_id)
        .subquery()
    )
    query = (
        _running_enrollments(Challenge.ends_at > now)
        .outerjoin(last, last.c.enrollment_id == Enrollment.id)
        .add_columns(last.c.last_at)
        .where(func.coalesce(last.c.last_at, Enrollment.joined_at) <= now - SILENT_FOR)
    )
    for enrollment, last_at in db.session.execute(query):
        since = last_at or enrollment.joined_at
        params = {"challenge": enrollment.challenge.title, "days": (now - since).days}
        key = f"challenge-silent:{enrollment.id}:{since.date().isoformat()}"
        link = f"/challenges/{enrollment.challenge_id}/me"
        sent += _reminder(enrollment.user_id, "challenge_inactive", key, params, link, now)
    return sent


def send_reminders(now: datetime | None = None) -> int:
    """Every challenge reminder that is due; how many were new. Endings first: they matter most."""
    now = now or utcnow()
    return ending_soon(now) + silent(now) + starting_soon(now)


# Badges, streaks, rewards and vouchers ----------------------------------------------------------


def new_badges(now: datetime) -> int:
    """Tell residents about badges awarded in the last week."""
    sent = 0
    query = select(BadgeAward).where(BadgeAward.awarded_at > now - NEWS_LOOKBACK, BadgeAward.awarded_at <= now)
    for award in db.session.scalars(query.order_by(BadgeAward.id)):
        params = {"badge": award.badge.name}
        sent += _news(award.user_id, "badge_awarded", f"badge:{award.id}", params, "/me/badges", now)
    return sent


def new_streaks(now: datetime) -> int:
    """Tell residents about streak points credited in the last week."""
    sent = 0
    query = select(LedgerEntry).where(
        LedgerEntry.kind == EntryKind.STREAK, LedgerEntry.created_at > now - NEWS_LOOKBACK,
        LedgerEntry.created_at <= now,
    )  # fmt: skip
    for entry in db.session.scalars(query.order_by(LedgerEntry.id)):
        weeks = (entry.reason_params or {}).get("weeks", STREAK_WEEKS)
        sent += _news(entry.user_id, "streak", f"streak:{entry.id}", {"weeks": weeks}, "/me/points", now)
    return sent


def _balances_at_least(points: int) -> list[tuple[int, int]]:
    balance = func.sum(LedgerEntry.amount)
    query = select(LedgerEntry.user_id, balance).group_by(LedgerEntry.user_id).having(balance >= points)
    return [tuple(row) for row in db.session.execute(query.order_by(LedgerEntry.user_id))]


def affordable_rewards(now: datetime) -> int:
    """Tell residents about rewards added in the last week that their balance already covers."""
    sent = 0
    query = select(Reward).where(
        Reward.active, Reward.created_at > now - NEWS_LOOKBACK, Reward.created_at <= now,
        (Reward.valid_until.is_(None)) | (Reward.valid_until > now),
    )  # fmt: skip
    for reward in db.session.scalars(query.order_by(Reward.id)):
        if reward.sold_out:
            continue
        params = {"reward": reward.title, "points": reward.cost}
        for user_id, _balance in _balances_at_least(reward.cost):
            sent += _news(user_id, "reward_affordable", f"reward:{reward.id}:{user_id}", params,
                          f"/rewards/{reward.id}", now)  # fmt: skip
    return sent


def expiring_vouchers(now: datetime) -> int:
    """Tell residents that an unused voucher expires within a week."""
    sent = 0
    query = select(Voucher).where(
        Voucher.status == VoucherStatus.ISSUED, Voucher.expires_at > now, Voucher.expires_at <= now + VOUCHER_WITHIN
    )
    for voucher in db.session.scalars(query.order_by(Voucher.id)):
        params = {"reward": voucher.reward.title, "expires_at": voucher.expires_at.isoformat()}
        sent += _news(voucher.user_id, "voucher_expiring", f"voucher:{voucher.id}", params, "/me/vouchers", now)
    return sent


def send_rewards_news(now: datetime | None = None) -> int:
    """Every piece of badge, streak, reward and voucher news that is due; how many were new."""
    now = now or utcnow()
    return expiring_vouchers(now) + new_badges(now) + new_streaks(now) + affordable_rewards(now)
