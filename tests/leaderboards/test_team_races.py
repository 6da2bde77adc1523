"""Team totals under requests at the same moment (tests.races): teammates scoring at once, and residents moving
between teams while their trips are being scored. Nothing is lost or counted twice, nothing deadlocks, and the
scores check finds every team total equal to what its members add up to."""

from datetime import time

import pytest
from sqlalchemy import select

from accounts.models import User
from app import reconciliation
from app.extensions import db
from challenges import participation
from challenges.kinds.trip import submit_trip
from challenges.models import Challenge, Enrollment
from challenges.scoring import Category, Mode
from teams import services as teams
from teams.models import Team, TeamScore, TeamStatus
from tests.challenges.conftest import NOW
from tests.races import one_race_at_a_time, outcomes, race, race_app

THREADS = 30
DAY = NOW.date()


@pytest.fixture(scope="module")
def racing(database_url):
    with one_race_at_a_time(database_url):
        app = race_app(database_url, THREADS)
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def threads(database_url) -> int:
    """30 requests at once on PostgreSQL; a few on SQLite, which lets one writer in at a time."""
    return THREADS if database_url.startswith("postgresql") else 6


def _setup(racing, make_challenge, make_user, residents: int):
    """A running challenge ranking teams; a school with two classes; `residents` pupils in class A, each joined."""
    head, pupils = make_user(), [make_user() for _ in range(residents)]
    with racing.app_context():
        challenge = make_challenge(category=Category.MOBILITY, ranks_teams=True)
        challenge = db.session.get(Challenge, challenge.id)
        captain = db.session.get(User, head.id)
        school = teams.found_team(captain, "Schule am Park", "school", None, False)
        teams.moderate(school, TeamStatus.APPROVED)
        class_a = teams.found_sub_team(captain, school, "Klasse A", None, False)
        class_b = teams.found_sub_team(captain, school, "Klasse B", None, False)
        other = teams.found_team(db.session.get(User, make_user().id), "Familie Ost", "family", None, False)
        for pupil in pupils:
            user = db.session.get(User, pupil.id)
            teams.join_by_code(user, class_a.invite_code)
            participation.join(challenge, user, now=NOW)
        db.session.commit()
        codes = {"a": class_a.invite_code, "b": class_b.invite_code, "other": other.invite_code}
        return challenge.id, [p.id for p in pupils], codes


def _trip(challenge_id: int, user_id: int, km: float, minute: int = 0) -> int:
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.challenge_id == challenge_id,
                                                            Enrollment.user_id == user_id))  # fmt: skip
    return submit_trip(enrollment, DAY, Mode.BIKE, km, True, trip_time=time(7, minute), now=NOW)[0].id


def _move(user_id: int, code: str) -> int:
    """Leave the current team and join the one of this code, in one request."""
    user = db.session.get(User, user_id)
    teams.leave(user, teams.membership_of(user).team)
    return teams.join_by_code(user, code).id


def _assert_agree(racing, challenge_id: int) -> dict:
    with racing.app_context():
        assert reconciliation.run() == []
        rows = db.session.execute(
            select(Team.name, TeamScore.total_units, TeamScore.members).join(Team, Team.id == TeamScore.team_id)
            .where(TeamScore.challenge_id == challenge_id)
        ).all()  # fmt: skip
        return {name: (total, members) for name, total, members in rows}


def test_teammates_scoring_at_once_lose_nothing(racing, make_challenge, make_user, threads):
    """Every pupil of a class sends a trip at the same moment: the class and the school each gain every km."""
    challenge_id, pupils, _codes = _setup(racing, make_challenge, make_user, threads)
    results = race(racing, threads, lambda i: _trip(challenge_id, pupils[i], 2.0))
    assert outcomes(results) == {"ok": threads}
    kept = _assert_agree(racing, challenge_id)
    assert kept["Klasse A"] == (pytest.approx(2.0 * threads), threads)
    assert kept["Schule am Park"] == (pytest.approx(2.0 * threads), threads + 0)


def test_moving_between_teams_while_scoring_keeps_every_total_right(racing, make_challenge, make_user, threads):
    """Half the requests move a pupil to class B (or out of the school), the other half score that same pupil's
    trip: whichever comes first, the km end up in the team the pupil is in at the end, and nowhere else."""
    pupils_count = threads // 2
    challenge_id, pupils, codes = _setup(racing, make_challenge, make_user, pupils_count)

    def work(i: int):
        pupil = pupils[i // 2]
        if i % 2:
            return _trip(challenge_id, pupil, 3.0, minute=i % 60)
        return _move(pupil, codes["b"] if (i // 2) % 2 else codes["other"])

    results = race(racing, 2 * pupils_count, work)
    assert outcomes(results) == {"ok": 2 * pupils_count}
    kept = _assert_agree(racing, challenge_id)
    to_b = len([p for index, p in enumerate(pupils) if index % 2])
    to_other = pupils_count - to_b
    assert kept["Klasse B"] == (pytest.approx(3.0 * to_b), to_b)
    assert kept["Familie Ost"] == (pytest.approx(3.0 * to_other), to_other)
    assert kept["Klasse A"] == (pytest.approx(0.0), 0)
    assert kept["Schule am Park"] == (pytest.approx(3.0 * to_b), to_b)
