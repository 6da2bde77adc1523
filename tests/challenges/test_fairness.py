"""Scores a city can defend: a latecomer with numbers of their own choosing cannot reach the top, and
households of any size that save the same share of their usual use rank as equals."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from challenges import participation
from challenges.kinds.reading import submit_reading
from challenges.models import Enrollment, Submission, SubmissionStatus
from challenges.scoring import Metric, reference_daily_kwh
from tests.challenges.conftest import NOW

DAY = timedelta(days=1)
pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def honest_resident(challenge, make_user, household_size, usual, saved_share, rng):
    """Joined a month before the start, read the meter as the days went by, saving `saved_share` while it ran."""
    start = challenge.starts_at
    enrollment = participation.join(challenge, attached(make_user(household_size=household_size)), now=start - 30 * DAY)
    meter, moment = rng.uniform(5_000, 40_000), start - 20 * DAY
    for moment in (start - 20 * DAY, start - 2 * DAY):
        submit_reading(enrollment, moment, meter + usual * (moment - (start - 20 * DAY)).days, now=moment)
    meter += usual * 18
    last = start - 2 * DAY
    for moment in (start + 5 * DAY, start + 12 * DAY, start + 19 * DAY, NOW - timedelta(hours=2)):
        days = (moment - last).total_seconds() / 86_400
        inside = (moment - max(last, start)).total_seconds() / 86_400
        meter += usual * (days - inside) + usual * (1 - saved_share) * inside
        reading, _ = submit_reading(enrollment, moment, meter, now=moment + timedelta(minutes=5))
        assert reading.status == SubmissionStatus.ACCEPTED, reading.flag_reason
        last = moment
    return enrollment


def rank_of(enrollment) -> int:
    """1 + how many active participants in the challenge score more."""
    scores = db.session.scalars(
        select(Enrollment.score).where(Enrollment.challenge_id == enrollment.challenge_id, Enrollment.active)
    ).all()
    return 1 + sum(score > enrollment.score for score in scores)


def test_a_latecomer_with_numbers_of_their_own_cannot_reach_the_top_ten_per_cent(make_challenge, make_user):
    """Fifty residents saved up to a quarter of their use for three weeks. A new account joins now, says
    it is a household of six, and types readings inside every plausibility limit: a high "usual" use
    before the start and little use since (just above the limit that holds near-zero use). Its own
    readings set no baseline (sent after the start), the days before it joined count for nothing,
    and the share saved is a share of the whole challenge: it stays far from the top 10 %."""
    rng = random.Random(14)
    challenge = make_challenge(starts_at=NOW - 21 * DAY, ends_at=NOW + 7 * DAY)
    assert challenge.metric == Metric.SHARE_SAVED
    honest = []
    for _ in range(50):
        size = rng.randint(1, 6)
        usual = reference_daily_kwh(size) * rng.uniform(0.8, 1.2)
        honest.append(honest_resident(challenge, make_user, size, usual, rng.uniform(0.0, 0.25), rng))
    start = challenge.starts_at
    latecomer = participation.join(challenge, attached(make_user(household_size=6)), now=NOW)
    reference, meter = reference_daily_kwh(6), 10_000.0
    chosen = [(start - 30 * DAY, 0.0), (start - DAY, 3 * reference * 29)]  # a "usual" use three times the reference
    chosen += [(start + DAY * d, 0.3 * reference * (d - (chosen[-1][0] - start).days)) for d in (1,)]
    for moment, used in chosen:
        meter += used
        submit_reading(latecomer, moment, round(meter, 1), now=NOW)
    last = start + DAY
    for moment in (start + 8 * DAY, start + 15 * DAY, NOW - timedelta(hours=1)):
        meter += 0.3 * reference * (moment - last).total_seconds() / 86_400  # 30 % of the reference a day
        reading, _ = submit_reading(latecomer, moment, round(meter, 1), now=NOW)
        assert reading.status == SubmissionStatus.ACCEPTED  # inside the plausibility limits
        last = moment
    assert latecomer.baseline_source == "reference" and latecomer.baseline_kwh_per_day == pytest.approx(reference)
    top_ten_per_cent = len(honest) // 10 + 1
    assert rank_of(latecomer) > top_ten_per_cent
    best_honest = max(enrollment.score for enrollment in honest)
    assert latecomer.score < best_honest / 5


@pytest.mark.parametrize("share", [0.1, 0.2])
def test_a_single_pensioner_and_a_family_of_six_saving_the_same_share_tie(make_challenge, make_user, share):
    """Same share saved, same readings days: the same score, though the family saved far more kWh."""
    rng = random.Random(6)
    challenge = make_challenge(starts_at=NOW - 21 * DAY, ends_at=NOW + 7 * DAY)
    single = honest_resident(challenge, make_user, 1, reference_daily_kwh(1), share, rng)
    family = honest_resident(challenge, make_user, 6, reference_daily_kwh(6), share, rng)
    assert single.score == pytest.approx(family.score, rel=1e-9)
    assert rank_of(single) == rank_of(family) == 1
    # A share of the whole challenge's usual use: at most `share` on the 21 of 28 days that passed.
    assert 0 < single.score <= 100 * share * 21 / 28
    kwh = {enrollment.household_size: kwh_saved(enrollment) for enrollment in (single, family)}
    assert kwh[6] > 2 * kwh[1]


def kwh_saved(enrollment) -> float:
    return sum(db.session.scalars(select(Submission.kwh_saved).where(Submission.enrollment_id == enrollment.id)))
