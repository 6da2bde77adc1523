"""Personal energy advice: a forecast of each consenting resident's use, and advice when it rises.

Only residents the consent gate allows (energy readings, purpose personal advice, individual level)
are looked at: the gate is asked first, and then only their readings are read. Each run that reads
readings is recorded in the data use log with the residents it read.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from accounts.models import User
from app.clock import week_start_at
from app.columns import utcnow
from app.extensions import db
from challenges.models import Challenge, Enrollment, Submission, SubmissionKind, SubmissionStatus
from challenges.scoring import Category, reference_daily_kwh
from notifications.models import Kind
from notifications.services import notify
from nudges import display, forecast, funding
from nudges.services import week_label
from sharing import gate
from sharing.models import Level, Purpose
from sharing.uses import record_use

CATEGORY, PURPOSE = "energy_readings", "personal_advice"
LOOKBACK = timedelta(weeks=26)  # half a year of weeks is plenty for the trend; older ones say little
BATCH = 500
LINK = "/me/funding"


def consenting(now: datetime) -> set[int]:
    """Ids of the residents whose readings the gate allows for personal advice now."""
    return gate.allowed_ids(CATEGORY, PURPOSE, Level.INDIVIDUAL, at=now)


def readings_of(user_ids: set[int], now: datetime) -> dict[int, list[tuple[datetime, float]]]:
    """Accepted meter readings of these residents (and no one else) over the lookback, per resident."""
    readings, ids = defaultdict(list), sorted(user_ids)
    for start in range(0, len(ids), BATCH):
        rows = db.session.execute(
            select(Submission.user_id, Submission.read_at, Submission.meter_kwh).where(
                Submission.user_id.in_(ids[start : start + BATCH]), Submission.kind == SubmissionKind.READING,
                Submission.status == SubmissionStatus.ACCEPTED, Submission.read_at >= now - LOOKBACK,
                Submission.read_at <= now,
            )
        )  # fmt: skip
        for user_id, read_at, meter_kwh in rows:
            readings[user_id].append((read_at, meter_kwh))
    return dict(readings)


def baseline_per_day(user: User) -> float:
    """The resident's baseline from their latest energy enrollment, else the reference for their household."""
    baseline = db.session.scalar(
        select(Enrollment.baseline_kwh_per_day)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.user_id == user.id, Enrollment.baseline_kwh_per_day.is_not(None))
        .where(Challenge.category == Category.ENERGY)
        .order_by(Enrollment.active.desc(), Enrollment.joined_at.desc())
        .limit(1)
    )
    return baseline if baseline else reference_daily_kwh(user.household_size)


def forecast_for(user: User, readings: list[tuple[datetime, float]], now: datetime) -> forecast.Forecast | None:
    """The resident's next four weeks against their weekly baseline; None without enough whole weeks."""
    weekly = forecast.weekly_totals(readings, week_start_at(now))
    return forecast.forecast(weekly, baseline_per_day(user) * 7)


def advise(user: User, result: forecast.Forecast, now: datetime) -> bool:
    """Send this week's advice: the rise, tips for the household and the programmes the resident may use."""
    params = {
        "percent": round(result.percent_above_baseline, 1), "forecast": round(result.average_kwh, 1),
        "baseline": round(result.baseline_weekly_kwh, 1), "household": user.household_size,
        "tips": display.advice_tips(user.household_size),
        "programmes": [programme.id for programme in funding.eligible(user, now)],
    }  # fmt: skip
    key = f"advice:{user.id}:{week_label(now)}"
    return notify(user.id, Kind.ADVICE, "energy_advice_detail", key, params, link=LINK, now=now)


def send_advice(now: datetime | None = None) -> int:
    """Forecast every consenting resident's use and advise those heading above baseline; how many were told."""
    now = now or utcnow()
    purpose = db.session.scalar(select(Purpose).where(Purpose.code == PURPOSE))
    allowed = consenting(now) if purpose is not None else set()
    readings = readings_of(allowed, now) if allowed else {}
    if not readings:
        return 0
    record_use(None, purpose, [CATEGORY], Level.INDIVIDUAL, {"weeks": LOOKBACK.days // 7}, readings.keys(),
               description="weekly energy forecast for personal advice")  # fmt: skip
    threshold, sent = current_app.config["ADVICE_THRESHOLD_PERCENT"], 0
    for user_id in sorted(readings):  # ascending ids: each advice takes its resident's lock (app.locks)
        user = db.session.get(User, user_id)
        result = forecast_for(user, readings[user_id], now)
        if result is not None and result.alarms(threshold):
            sent += advise(user, result, now)
    return sent
