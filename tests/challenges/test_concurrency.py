"""Running totals stay right when many requests score at once: nothing a concurrent request added is lost.

Each thread is one request with its own connection, session and transaction (tests.races). The races
of 30 run on PostgreSQL, where they really are in the database at once; SQLite lets one writer in at a
time, so there a few threads show that the same rules hold and nothing but domain errors comes out.
"""

import threading
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import Role, User
from app import reconciliation
from app.extensions import db
from challenges import lifecycle, participation, submissions
from challenges.kinds.trip import submit_trip
from challenges.models import Challenge, Enrollment, NeighbourhoodScore, Submission, SubmissionStatus
from challenges.scoring import Category, Format, Mode
from leaderboards import histogram
from leaderboards.models import Period, SeasonPeriod, SeasonPoints
from leaderboards.services import period_start
from rewards import earnings, ledger
from tests.challenges.conftest import NOW
from tests.races import one_race_at_a_time, outcomes, race, race_app

THREADS = 30
DAY = NOW.date()  # the same day in the city's calendar (13:00 in Berlin)
CAP = 50


@pytest.fixture(scope="module")
def racing(database_url):
    """An app with a connection for each of THREADS threads (one racing module at a time on the machine)."""
    with one_race_at_a_time(database_url):
        app = race_app(database_url, THREADS)
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer lock for everything: nothing there waits in a circle")


@pytest.fixture
def threads(database_url) -> int:
    """30 requests at once on PostgreSQL; a few on SQLite, which lets one writer in at a time."""
    return THREADS if database_url.startswith("postgresql") else 6


@pytest.fixture
def mobility(racing, make_challenge):
    """A running neighbourhood challenge: 10 points a km avoided, at most CAP points a day."""
    with racing.app_context():
        challenge = make_challenge(category=Category.MOBILITY, format=Format.NEIGHBOURHOOD, daily_point_cap=CAP)
        return challenge.id


def _trip(enrollment_id: int, km: float, minute: int = 0, **fields):
    enrollment = db.session.get(Enrollment, enrollment_id)
    when = time(7, 0) if not minute else time(7 + minute // 60, minute % 60)
    return submit_trip(enrollment, DAY, Mode.BIKE, km, True, trip_time=when, now=NOW, **fields)[0].id


def assert_totals_agree(challenge_id: int) -> None:
    """Every running total equals what it sums: submissions → enrollments → challenge, places, histogram, season."""
    db.session.expire_all()
    challenge = db.session.get(Challenge, challenge_id)
    active = (Enrollment.challenge_id == challenge_id, Enrollment.active)
    counted = (Submission.challenge_id == challenge_id, Submission.status == SubmissionStatus.ACCEPTED)
    units = db.session.scalar(select(func.coalesce(func.sum(Submission.units), 0.0)).where(*counted))
    scores = db.session.scalar(select(func.coalesce(func.sum(Enrollment.score), 0.0)).where(*active))
    participants = db.session.scalar(select(func.count()).select_from(Enrollment).where(*active))
    assert challenge.total_units == pytest.approx(scores) == pytest.approx(units)
    assert challenge.participant_count == participants
    for enrollment in db.session.scalars(select(Enrollment).where(Enrollment.challenge_id == challenge_id)):
        own = (Submission.enrollment_id == enrollment.id, Submission.status == SubmissionStatus.ACCEPTED)
        worth = select(func.coalesce(func.sum(Submission.units), 0.0), func.coalesce(func.sum(Submission.points), 0))
        own_units, own_points = db.session.execute(worth.where(*own)).one()
        assert (enrollment.score, enrollment.points) == (pytest.approx(own_units), own_points)
    places = db.session.execute(
        select(Enrollment.neighbourhood_id, func.sum(Enrollment.score), func.count()).where(*active)
        .group_by(Enrollment.neighbourhood_id)
    ).all()  # fmt: skip
    rows = db.session.scalars(select(NeighbourhoodScore).where(NeighbourhoodScore.challenge_id == challenge_id))
    kept = {row.neighbourhood_id: (row.total_units, row.participants) for row in rows}
    assert {place: (pytest.approx(total), count) for place, total, count in places} == kept
    assert histogram.stored(challenge_id) == histogram.recount(challenge_id)
    assert sum(histogram.stored(challenge_id).values()) == participants
    _assert_season_points(challenge_id)
    assert reconciliation.run() == []  # and the scores check, looking at all of it, finds nothing either


def _assert_season_points(challenge_id: int) -> None:
    """Each resident's points this week, month and all time are what their submissions are worth."""
    worth = db.session.execute(
        select(Submission.user_id, func.sum(Submission.points))
        .where(Submission.challenge_id == challenge_id, Submission.status == SubmissionStatus.ACCEPTED)
        .group_by(Submission.user_id)
    ).all()
    for user_id, points in worth:
        for period in Period:
            start = period_start(period, DAY)
            kept = db.session.scalar(
                select(SeasonPoints.points).where(
                    SeasonPoints.user_id == user_id, SeasonPoints.period == period, SeasonPoints.period_start == start
                )
            )
            assert (kept or 0) == points, (user_id, period)
    for period in Period:
        start = period_start(period, DAY)
        with_points = db.session.scalar(
            select(func.count())
            .select_from(SeasonPoints)
            .where(SeasonPoints.period == period, SeasonPoints.period_start == start, SeasonPoints.points > 0)
        )
        kept = db.session.scalar(
            select(SeasonPeriod.participants).where(SeasonPeriod.period == period, SeasonPeriod.period_start == start)
        )
        assert (kept or 0) == with_points, period


def _residents(make_user, make_neighbourhood, count: int) -> list[int]:
    """`count` residents spread over 3 neighbourhoods."""
    places = [make_neighbourhood().id for _ in range(3)]
    return [make_user(neighbourhood_id=places[i % 3]).id for i in range(count)]


def test_residents_joining_at_once_are_all_counted(racing, threads, make_user, make_neighbourhood, mobility):
    """Residents of 3 neighbourhoods join at once: the challenge, each neighbourhood and the histogram count each."""
    with racing.app_context():
        residents = _residents(make_user, make_neighbourhood, threads)

    def join(index):
        challenge, user = db.session.get(Challenge, mobility), db.session.get(User, residents[index])
        return participation.join(challenge, user, now=NOW).id

    assert outcomes(race(racing, threads, join)) == {"ok": threads}
    with racing.app_context():
        assert db.session.get(Challenge, mobility).participant_count == threads
        assert_totals_agree(mobility)


def test_residents_submitting_at_once_lose_no_update(racing, threads, make_user, make_neighbourhood, mobility):
    """Residents of 3 neighbourhoods each send a 5 km trip at the same moment: every total adds up.

    The challenge's total equals the sum of the enrollments' scores and of the counted units, each
    neighbourhood's row its enrollments, the histogram the active enrollments, season points the trips.
    """
    with racing.app_context():
        residents = _residents(make_user, make_neighbourhood, threads)
        challenge = db.session.get(Challenge, mobility)
        enrollments = [participation.join(challenge, db.session.get(User, r), now=NOW).id for r in residents]
        db.session.commit()

    assert outcomes(race(racing, threads, lambda index: _trip(enrollments[index], 5.0))) == {"ok": threads}
    with racing.app_context():
        challenge = db.session.get(Challenge, mobility)
        assert (challenge.total_units, challenge.participant_count) == (pytest.approx(5.0 * threads), threads)
        assert_totals_agree(mobility)
        assert [ledger.balance(user_id) for user_id in residents] == [CAP] * threads


def test_one_resident_sending_many_trips_at_once_gets_the_daily_cap_once(racing, threads, make_user, mobility):
    """One resident sends 1 km trips (10 points each) at once against a cap of 50 a day: 50 points in all.

    The cap is read and booked under the resident's lock, and the cap binds the ranking too: only the
    first five trips count, for points and for the score (5 km), however many arrive at once.
    """
    with racing.app_context():
        user = make_user()
        enrollment = participation.join(db.session.get(Challenge, mobility), user, now=NOW)
        db.session.commit()
        user_id, enrollment_id = user.id, enrollment.id

    assert outcomes(race(racing, threads, lambda index: _trip(enrollment_id, 1.0, minute=index + 1))) == {"ok": threads}
    with racing.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        assert (enrollment.score, enrollment.points) == (pytest.approx(min(threads, CAP / 10)), CAP)
        assert ledger.balance(user_id) == CAP
        assert_totals_agree(mobility)


def test_two_managers_approving_one_held_trip_at_once_count_it_once(racing, make_user, mobility):
    """Two managers approve the same held trip at once: one approval counts it, the other hears it was reviewed.

    The day's 200 km count only up to the daily cap (50 points at 10 a km: 5 km), for the score as for points.
    """
    with racing.app_context():
        enrollment_id = participation.join(db.session.get(Challenge, mobility), make_user(), now=NOW).id
        db.session.commit()
        held = _trip(enrollment_id, 100.0)
        _trip(enrollment_id, 100.0, minute=30)  # 200 km in a day: held for review
        db.session.commit()
        flagged = db.session.scalar(select(Submission.id).where(Submission.status == SubmissionStatus.FLAGGED))
        assert flagged is not None and flagged != held
        managers = [make_user(role=Role.MANAGER).id for _ in range(2)]

    def approve(index):
        submission, manager = db.session.get(Submission, flagged), db.session.get(User, managers[index])
        return submissions.review(submission, manager, True, now=NOW + timedelta(hours=1)).id

    assert outcomes(race(racing, 2, approve)) == {"ok": 1, "WrongStatus": 1}
    with racing.app_context():
        assert db.session.get(Enrollment, enrollment_id).score == pytest.approx(CAP / 10)
        assert_totals_agree(mobility)


def test_closing_while_residents_submit_neither_deadlocks_nor_loses_a_trip(
    racing, threads, make_user, make_neighbourhood, mobility
):
    """A challenge closes while its residents send trips: each trip comes before the close or is refused after it.

    Closing takes the challenge's row and then every finisher's lock to pay them; a submission takes
    the row first as well, so the two queue instead of waiting for each other in a circle.
    """
    with racing.app_context():
        residents = _residents(make_user, make_neighbourhood, threads - 1)
        challenge = db.session.get(Challenge, mobility)
        challenge.completion_goal, challenge.completion_bonus = 1.0, 10
        enrollments = [participation.join(challenge, db.session.get(User, r), now=NOW).id for r in residents]
        db.session.commit()

    def work(index):
        if index == threads - 1:
            return lifecycle.close_challenge(db.session.get(Challenge, mobility), now=NOW)
        return _trip(enrollments[index], 5.0)

    results = race(racing, threads, work)
    assert {kind for kind, _value in results} <= {"ok", "refused"} and results[-1] == ("ok", True)
    assert {error.rule for kind, error in results if kind == "refused"} <= {"not_running"}
    with racing.app_context():
        assert_totals_agree(mobility)
        counted = db.session.scalars(select(Submission.user_id).where(Submission.challenge_id == mobility)).all()
        assert [ledger.balance(user_id) for user_id in residents] == [
            CAP + 10 if user_id in counted else 0 for user_id in residents
        ]


@pytest.mark.usefixtures("postgres_only")
def test_closing_two_challenges_while_a_finisher_sends_to_the_second_does_not_deadlock(
    racing, make_user, make_challenge
):
    """The lifecycle job closes two challenges; after paying the first's finishers it pauses, and one of them
    sends a trip to the second. The job took both challenges' rows before paying anyone, so the trip waits
    for the close and is refused, instead of each waiting for what the other holds."""
    with racing.app_context():
        first, second = (make_challenge(category=Category.MOBILITY).id for _ in range(2))
        user = make_user()
        enrollments = [participation.join(db.session.get(Challenge, c), user, now=NOW).id for c in (first, second)]
        db.session.commit()
    after_the_end = NOW + timedelta(days=22)
    pay, first_paid = earnings.pay_challenge, threading.Event()

    def pay_then_pause(closed, **kwargs):
        paid = pay(closed, **kwargs)
        if not first_paid.is_set():
            first_paid.set()
            threading.Event().wait(1.0)  # the finisher's trip to the other challenge comes now
        return paid

    def work(index):
        if index == 0:
            return lifecycle.advance_lifecycle(now=after_the_end)
        first_paid.wait(10)
        return _trip(enrollments[1], 5.0)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(earnings, "pay_challenge", pay_then_pause)
        results = race(racing, 2, work)
    assert results[0] == ("ok", {"started": 0, "closed": 2})
    assert results[1][0] == "refused" and results[1][1].rule == "not_running"
