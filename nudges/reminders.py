"""Challenge reminders, and news of badges, streaks, rewards and vouchers.

Each nudge has a key naming what it is about, so a daily job may look back over several days (and
catch up after downtime) without telling anything twice. A nudge held back by the weekly quiet limit
stores nothing, so it may still go out on a later day while it is news.

Each counted nudge takes its resident's lock (app.locks), so a job first gathers what is due and then
sends it in ascending user id, the lock order; a resident's own nudges keep the order they were due in.
"""

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Nudge:
    user_id: int
    kind: Kind
    message: str
    key: str
    params: dict
    link: str


def _reminder(user_id: int, message: str, key: str, params: dict, link: str) -> Nudge:
    return Nudge(user_id, Kind.CHALLENGE_REMINDERS, message, key, params, link)


def _news(user_id: int, message: str, key: str, params: dict, link: str) -> Nudge:
    return Nudge(user_id, Kind.REWARDS, message, key, params, link)


def send(nudges: list[Nudge], now: datetime) -> int:
    """Send these nudges in ascending user id (a stable sort); how many were new."""
    in_lock_order = sorted(nudges, key=lambda nudge: nudge.user_id)
    return sum(notify(n.user_id, n.kind, n.message, n.key, n.params, link=n.link, now=now) for n in in_lock_order)


# Challenge reminders ----------------------------------------------------------------------------


def starting_soon(now: datetime) -> int:
    """Tell residents about a challenge starting within two days in a category they joined before."""
    return send(_starting_soon(now), now)


def _starting_soon(now: datetime) -> list[Nudge]:
    due = []
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
            due.append(_reminder(user_id, "challenge_starting", key, params, f"/challenges/{challenge.id}"))
    return due


def _running_enrollments(*conditions):
    return (
        select(Enrollment)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.active, Challenge.status == Status.ACTIVE, *conditions)
        .order_by(Enrollment.id)
    )


def ending_soon(now: datetime) -> int:
    """Remind participants that their challenge ends within three days."""
    return send(_ending_soon(now), now)


def _ending_soon(now: datetime) -> list[Nudge]:
    due = []
    query = _running_enrollments(Challenge.ends_at > now, Challenge.ends_at <= now + ENDING_WITHIN)
    for enrollment in db.session.scalars(query):
        challenge = enrollment.challenge
        params = {"challenge": challenge.title, "ends_at": challenge.ends_at.isoformat()}
        key = f"challenge-ending:{challenge.id}:{enrollment.user_id}"
        due.append(_reminder(enrollment.user_id, "challenge_ending", key, params, f"/challenges/{challenge.id}"))
    return due


def silent(now: datetime) -> int:
    """Remind participants who have sent nothing for ten days; once per silence (the key names its start)."""
    return send(_silent(now), now)


def _silent(now: datetime) -> list[Nudge]:
    due = []
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
        due.append(_reminder(enrollment.user_id, "challenge_inactive", key, params, link))
    return due


def send_reminders(now: datetime | None = None) -> int:
    """Every challenge reminder that is due; how many were new. Endings first: they matter most."""
    now = now or utcnow()
    return send(_ending_soon(now) + _silent(now) + _starting_soon(now), now)


# Badges, streaks, rewards and vouchers ----------------------------------------------------------


def new_badges(now: datetime) -> int:
    """Tell residents about badges awarded in the last week."""
    return send(_new_badges(now), now)


def _new_badges(now: datetime) -> list[Nudge]:
    due = []
    query = select(BadgeAward).where(BadgeAward.awarded_at > now - NEWS_LOOKBACK, BadgeAward.awarded_at <= now)
    for award in db.session.scalars(query.order_by(BadgeAward.id)):
        params = {"badge": award.badge.name}
        due.append(_news(award.user_id, "badge_awarded", f"badge:{award.id}", params, "/me/badges"))
    return due


def new_streaks(now: datetime) -> int:
    """Tell residents about streak points credited in the last week."""
    return send(_new_streaks(now), now)


def _new_streaks(now: datetime) -> list[Nudge]:
    due = []
    query = select(LedgerEntry).where(
        LedgerEntry.kind == EntryKind.STREAK, LedgerEntry.created_at > now - NEWS_LOOKBACK,
        LedgerEntry.created_at <= now,
    )  # fmt: skip
    for entry in db.session.scalars(query.order_by(LedgerEntry.id)):
        weeks = (entry.reason_params or {}).get("weeks", STREAK_WEEKS)
        due.append(_news(entry.user_id, "streak", f"streak:{entry.id}", {"weeks": weeks}, "/me/points"))
    return due


def _balances_at_least(points: int) -> list[tuple[int, int]]:
    balance = func.sum(LedgerEntry.amount)
    query = select(LedgerEntry.user_id, balance).group_by(LedgerEntry.user_id).having(balance >= points)
    return [tuple(row) for row in db.session.execute(query.order_by(LedgerEntry.user_id))]


def affordable_rewards(now: datetime) -> int:
    """Tell residents about rewards added in the last week that their balance already covers."""
    return send(_affordable_rewards(now), now)


def _affordable_rewards(now: datetime) -> list[Nudge]:
    due = []
    query = select(Reward).where(
        Reward.active, Reward.created_at > now - NEWS_LOOKBACK, Reward.created_at <= now,
        (Reward.valid_until.is_(None)) | (Reward.valid_until > now),
    )  # fmt: skip
    for reward in db.session.scalars(query.order_by(Reward.id)):
        if reward.sold_out:
            continue
        params = {"reward": reward.title, "points": reward.cost}
        for user_id, _balance in _balances_at_least(reward.cost):
            key = f"reward:{reward.id}:{user_id}"
            due.append(_news(user_id, "reward_affordable", key, params, f"/rewards/{reward.id}"))
    return due


def expiring_vouchers(now: datetime) -> int:
    """Tell residents that an unused voucher expires within a week."""
    return send(_expiring_vouchers(now), now)


def _expiring_vouchers(now: datetime) -> list[Nudge]:
    due = []
    query = select(Voucher).where(
        Voucher.status == VoucherStatus.ISSUED, Voucher.expires_at > now, Voucher.expires_at <= now + VOUCHER_WITHIN
    )
    for voucher in db.session.scalars(query.order_by(Voucher.id)):
        params = {"reward": voucher.reward.title, "expires_at": voucher.expires_at.isoformat()}
        due.append(_news(voucher.user_id, "voucher_expiring", f"voucher:{voucher.id}", params, "/me/vouchers"))
    return due


def send_rewards_news(now: datetime | None = None) -> int:
    """Every piece of badge, streak, reward and voucher news that is due; how many were new."""
    now = now or utcnow()
    return send(_expiring_vouchers(now) + _new_badges(now) + _new_streaks(now) + _affordable_rewards(now), now)
