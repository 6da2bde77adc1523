# ruff: noqa: F811  (make_challenge is an imported fixture, named again as a test argument)
"""`flask scores check`: every running total recomputed from what it adds up, each difference named, and
`--fix` setting it right; the nightly job logs what it finds and repairs only when configured."""

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select, update

from accounts.models import User
from app import reconciliation, scheduler
from app.extensions import db
from challenges import participation
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.models import Challenge, Enrollment, NeighbourhoodScore, Submission
from challenges.scoring import Category, Format, Mode
from leaderboards import histogram
from leaderboards.models import Period, ScoreBucket, SeasonPeriod, SeasonPoints
from leaderboards.services import period_start
from privacy.holders import HOLDERS
from tests.challenges.conftest import NOW, make_challenge  # noqa: F401  (a fixture used here)

DAY = NOW.date()  # the same day in the city's calendar (13:00 in Berlin)


@pytest.fixture
def city(app, make_user, make_neighbourhood, make_challenge):
    """Residents of two neighbourhoods sending trips to a neighbourhood challenge, and readings to an energy
    challenge, all through the services; one of them left the energy challenge."""
    with app.app_context():
        places = [make_neighbourhood().id for _ in range(2)]
        trips = make_challenge(category=Category.MOBILITY, format=Format.NEIGHBOURHOOD, daily_point_cap=50)
        energy = make_challenge(category=Category.ENERGY)
        users = [make_user(neighbourhood_id=places[i % 2]) for i in range(3)]
        for number, user in enumerate(users):
            enrollment = participation.join(trips, user, now=NOW)
            submit_trip(enrollment, DAY, Mode.BIKE, 2.0 + number, True, now=NOW)
            reader = participation.join(energy, user, now=NOW)
            for hours, kwh in ((0, 1000.0), (48, 1004.0 + number)):
                submit_reading(reader, NOW - timedelta(days=3) + timedelta(hours=hours), kwh, now=NOW)
        participation.leave(energy, users[2], now=NOW)
        db.session.commit()
        first = db.session.scalar(select(Enrollment).where(Enrollment.challenge_id == trips.id).order_by(Enrollment.id))
        return SimpleNamespace(
            trips=trips.id, energy=energy.id, places=places, users=[u.id for u in users], enrollment=first.id
        )


def _check(runner, *options):
    return runner.invoke(args=["scores", "check", *options])


def _break(statement) -> None:
    db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.commit()


def _break_everything(city) -> None:
    """One wrong value in every kind of total, written around the services."""
    week = period_start(Period.WEEK, DAY)
    _break(update(Challenge).where(Challenge.id == city.trips).values(total_units=Challenge.total_units + 7))
    _break(update(Challenge).where(Challenge.id == city.energy).values(participant_count=9))
    _break(update(Enrollment).where(Enrollment.id == city.enrollment).values(points=Enrollment.points + 1))
    _break(
        update(NeighbourhoodScore)
        .where(NeighbourhoodScore.challenge_id == city.trips, NeighbourhoodScore.neighbourhood_id == city.places[0])
        .values(participants=NeighbourhoodScore.participants + 1)
    )
    bucket = (ScoreBucket.challenge_id == city.trips, ScoreBucket.bucket == histogram.bucket(2.0))
    _break(update(ScoreBucket).where(*bucket).values(entries=ScoreBucket.entries + 2))
    mine = (
        SeasonPoints.user_id == city.users[1],
        SeasonPoints.period == Period.WEEK,
        SeasonPoints.period_start == week,
    )
    _break(update(SeasonPoints).where(*mine).values(points=SeasonPoints.points - 5))
    _break(update(SeasonPeriod).where(SeasonPeriod.period == Period.ALL).values(participants=0))


def test_a_clean_database_reports_nothing(app, runner, city):
    """Totals kept by the services agree with what they add up: nothing to report, exit status 0."""
    result = _check(runner)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Every total agrees with what it adds up."
    with app.app_context():
        assert reconciliation.run() == []


def test_an_empty_database_reports_nothing(app, runner):
    """No challenges, no residents: nothing differs."""
    assert _check(runner).exit_code == 0


def test_every_broken_total_is_named_and_fix_repairs_it(app, runner, city):
    """A wrong value in each kind of total is reported on a line of its own; --fix sets each right."""
    with app.app_context():
        _break_everything(city)
    result = _check(runner)
    assert result.exit_code == 1, (result.exception, result.output)
    lines = result.output.strip().splitlines()
    # The week's points lowered around the services also leave that week's histogram two entries off.
    assert lines[-1] == "9 difference(s); `flask scores check --fix` repairs them."
    enrollment = f"enrollment {city.enrollment} (challenge {city.trips}, resident {city.users[0]})"
    assert f"{enrollment}: points is 21, recomputed 20" in lines
    assert any(line.startswith(f'challenge {city.trips} "') and "total_units is" in line for line in lines)
    assert any(line.startswith(f'challenge {city.energy} "') and "participant_count is 9, recomputed 2" in line
               for line in lines)  # fmt: skip
    assert f"neighbourhood {city.places[0]} in challenge {city.trips}: participants is 3, recomputed 2" in lines
    assert [line for line in lines if "histogram" in line and "season" not in line] == [
        f"score histogram of challenge {city.trips}, bucket {histogram.bucket(2.0)} (scores from 2): "
        "entries is 3, recomputed 1"
    ]
    assert any(f"season points of resident {city.users[1]}, the week from" in line for line in lines)
    assert "season standings of all time: participants is 0, recomputed 3" in lines
    assert len([line for line in lines if line.startswith("season histogram of the week from")]) == 2

    fixed = _check(runner, "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert fixed.output.strip().splitlines()[-1] == "Repaired 9 difference(s); checked again, every total agrees."
    with app.app_context():
        assert reconciliation.run() == []
        challenge = db.session.get(Challenge, city.trips)
        assert (challenge.total_units, challenge.participant_count) == (pytest.approx(2.0 + 3.0 + 4.0), 3)
        assert db.session.get(Enrollment, city.enrollment).points == 20
        assert histogram.stored(city.trips) == histogram.recount(city.trips)
    assert _check(runner).exit_code == 0


def test_fix_repairs_enrollments_first_then_what_adds_them_up(app, runner, city):
    """An enrollment whose score lost a trip, its challenge's total and histogram consistent with it: --fix
    restores the enrollment from its submissions, and so the challenge, neighbourhood and histogram too."""
    with app.app_context():
        enrollment = db.session.get(Enrollment, city.enrollment)
        participation.leave(db.session.get(Challenge, city.trips), enrollment.user, now=NOW)
        db.session.commit()
        _break(update(Enrollment).where(Enrollment.id == city.enrollment).values(score=0.0, points=0))
        participation.join(db.session.get(Challenge, city.trips), enrollment.user, now=NOW)
        db.session.commit()
    found = _check(runner).output
    assert "score is 0, recomputed 2" in found and "points is 0, recomputed 20" in found
    assert "total_units" not in found and "histogram" not in found  # they add up the enrollment as kept
    assert _check(runner, "--fix").exit_code == 0
    with app.app_context():
        challenge = db.session.get(Challenge, city.trips)
        assert challenge.total_units == pytest.approx(9.0)
        assert histogram.stored(city.trips) == histogram.recount(city.trips)


def test_missing_rows_are_found_and_made(app, runner, city):
    """A neighbourhood row, a season points row and a period row that are missing are named and made again."""
    week = period_start(Period.WEEK, DAY)
    with app.app_context():
        _break(delete(NeighbourhoodScore).where(NeighbourhoodScore.neighbourhood_id == city.places[1]))
        _break(delete(SeasonPoints).where(SeasonPoints.user_id == city.users[0], SeasonPoints.period == Period.WEEK))
        _break(delete(SeasonPeriod).where(SeasonPeriod.period == Period.MONTH))
    output = _check(runner).output
    assert f"neighbourhood {city.places[1]} in challenge {city.trips}: participants is 0, recomputed 1" in output
    assert f"season points of resident {city.users[0]}, the week from {week.isoformat()}: points is 0" in output
    assert "season standings of the month from 2026-03-01: participants is 0, recomputed 3" in output
    assert _check(runner, "--fix").exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(NeighbourhoodScore)) == 4


def test_totals_whose_submissions_were_deleted_on_purpose_are_not_differences(app, runner, city):
    """Erasing an account or retention deletes raw submissions while their totals stay: not reported.

    An enrollment without any submission left is not compared with them; weeks and months that began
    before retention's reach are not compared with the submissions either.
    """
    with app.app_context():
        erased = db.session.get(User, city.users[0])
        for holder in HOLDERS:
            holder.erase(erased, NOW)
        db.session.commit()
        assert db.session.get(Enrollment, city.enrollment).score == pytest.approx(2.0)  # kept, without submissions
    assert _check(runner).exit_code == 0
    with app.app_context():
        app.config["RETENTION_MONTHS"], kept = 0, app.config["RETENTION_MONTHS"]
        try:
            _break(delete(Submission))
            assert reconciliation.run() == []
        finally:
            app.config["RETENTION_MONTHS"] = kept


def test_the_nightly_job_logs_what_it_finds_and_repairs_only_when_configured(app, city, caplog):
    """Off by default: the job logs each difference and leaves it; with SCORES_CHECK_FIX it repairs them."""
    with app.app_context():
        _break(update(Challenge).where(Challenge.id == city.trips).values(total_units=0.0))
    caplog.set_level(logging.INFO, logger="app.reconciliation")
    assert scheduler.JOBS["scores-check"].trigger_args == {"hour": 2, "minute": 45}
    assert scheduler.run_job(app, "scores-check")
    assert f'challenge {city.trips} "' in caplog.text and "1 difference(s)." in caplog.text
    with app.app_context():
        assert db.session.get(Challenge, city.trips).total_units == 0.0
    caplog.clear()
    app.config["SCORES_CHECK_FIX"] = True
    try:
        assert scheduler.run_job(app, "scores-check")
    finally:
        app.config["SCORES_CHECK_FIX"] = False
    assert "1 difference(s), repaired." in caplog.text
    caplog.clear()
    assert scheduler.run_job(app, "scores-check")
    assert "every total agrees" in caplog.text
