"""What residents did: a resident's own submissions, daily use and weekly trips, and who was active when."""

import itertools
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.clock import day_bounds, local_date
from app.columns import utcnow
from app.extensions import db
from challenges.models import Enrollment, Submission, SubmissionKind, SubmissionStatus
from challenges.scoring import SUSTAINABLE_MODES


def get_submission(challenge_id: int, submission_id: int) -> Submission | None:
    """A submission of this challenge, or None."""
    submission = db.session.get(Submission, submission_id)
    return submission if submission is not None and submission.challenge_id == challenge_id else None


def active_residents(begin: datetime, end: datetime) -> set[int]:
    """Residents with a counted submission made in [begin, end): who was active in a week, for streaks."""
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


def own_submissions(enrollment: Enrollment) -> list[Submission]:
    """Everything a resident sent to a challenge, newest first, with its status and reasons."""
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.enrollment_id == enrollment.id)
            .order_by(Submission.created_at.desc(), Submission.id.desc())
        )
    )


def daily_consumption(enrollment: Enrollment, now: datetime | None = None) -> list[tuple[date, float]]:
    """(day, kWh used that day) for each day of the challenge so far that counted readings cover.

    Consumption between two readings is spread evenly over the time between them; a day covered
    only in part shows the rate of its covered part, so it compares fairly with the daily baseline.
    """
    challenge = enrollment.challenge
    window_start, window_end = challenge.starts_at, min(challenge.ends_at, now or utcnow())
    readings = meter_readings(Submission.enrollment_id == enrollment.id)
    used, covered = defaultdict(float), defaultdict(float)
    for (start, start_kwh), (end, end_kwh) in itertools.pairwise(readings):
        rate = (end_kwh - start_kwh) / (end - start).total_seconds()
        first, last = max(start, window_start), min(end, window_end)
        day = local_date(first) if first < last else None
        while day is not None and day <= local_date(last):
            day_start, day_end = day_bounds(day)
            seconds = (min(last, day_end) - max(first, day_start)).total_seconds()
            if seconds > 0:
                used[day] += rate * seconds
                covered[day] += seconds
            day += timedelta(days=1)
    return [(day, used[day] / covered[day] * _day_seconds(day)) for day in sorted(covered)]


def meter_readings(*conditions) -> list[tuple[datetime, float]]:
    """(time, cumulative kWh) of the counted meter readings that meet `conditions`, oldest first."""
    counted = (Submission.kind == SubmissionKind.READING, Submission.status == SubmissionStatus.ACCEPTED)
    query = select(Submission.read_at, Submission.meter_kwh).where(*counted, *conditions).order_by(Submission.read_at)
    return [(read_at, meter_kwh) for read_at, meter_kwh in db.session.execute(query)]


def _day_seconds(day: date) -> float:
    start, end = day_bounds(day)
    return (end - start).total_seconds()


def weekly_trips(enrollment: Enrollment, now: datetime | None = None) -> list[tuple[date, int, int]]:
    """(Monday, counted trips, of which sustainable) for each week of the challenge so far."""
    challenge = enrollment.challenge
    first = local_date(challenge.starts_at)
    last = local_date(min(challenge.ends_at - timedelta(microseconds=1), now or utcnow()))
    weeks = {}
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        weeks[monday] = [0, 0]
        monday += timedelta(days=7)
    trips = db.session.execute(
        select(Submission.day, Submission.mode).where(
            Submission.enrollment_id == enrollment.id,
            Submission.kind == SubmissionKind.TRIP,
            Submission.status == SubmissionStatus.ACCEPTED,
        )
    )
    for day, mode in trips:
        week = weeks.get(day - timedelta(days=day.weekday()))
        if week is not None:
            week[0] += 1
            week[1] += mode in SUSTAINABLE_MODES
    return [(monday, trips, sustainable) for monday, (trips, sustainable) in weeks.items()]
