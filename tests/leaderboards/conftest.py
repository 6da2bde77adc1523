"""Builders for leaderboard tests: a field of participants with chosen scores, inserted in bulk."""

import itertools

import pytest
from sqlalchemy import delete, func, insert, select, true

from accounts.models import Role, User
from app.extensions import db
from challenges.models import Challenge, Enrollment, NeighbourhoodScore
from challenges.scoring import Category, Format
from leaderboards import histogram
from tests.challenges.conftest import NOW, make_challenge, manager  # noqa: F401  (fixtures used here)

_numbers = itertools.count(1)


def add_residents(count: int, hidden: list[bool] | None = None, neighbourhood_id: int | None = None) -> list[User]:
    """Insert `count` residents at once (no password hashing); `hidden` marks who hides from listings."""
    if not count:
        return []
    hidden = hidden or [False] * count
    rows = []
    for index in range(count):
        number = next(_numbers)
        rows.append({
            "email": f"runner{number}@example.org", "password_hash": "!", "pseudonym": f"Runner {number}",
            "role": Role.RESIDENT, "leaderboard_visible": not hidden[index], "neighbourhood_id": neighbourhood_id,
        })  # fmt: skip
    ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows).all()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))


def add_field(challenge: Challenge, users: list[User], scores: list[float], active: list[bool] | None = None) -> list:
    """Enroll `users` with these scores in one insert (left ones when `active` says so); keeps participant_count
    and the score histogram."""
    if not users:
        return []
    active = active or [True] * len(users)
    rows = [
        {"challenge_id": challenge.id, "user_id": user.id, "neighbourhood_id": user.neighbourhood_id, "score": score,
         "active": is_active, "points": 0}
        for user, score, is_active in zip(users, scores, active, strict=True)
    ]  # fmt: skip
    ids = db.session.scalars(insert(Enrollment).returning(Enrollment.id, sort_by_parameter_order=True), rows).all()
    challenge.participant_count += sum(active)
    settle_neighbourhoods(challenge)
    histogram.rebuild(challenge.id)
    return ids


def settle_neighbourhoods(challenge: Challenge) -> None:
    """Set the challenge's neighbourhood totals to what its active enrollments add up to, as joining would."""
    db.session.execute(delete(NeighbourhoodScore).where(NeighbourhoodScore.challenge_id == challenge.id))
    totals = (
        select(Enrollment.challenge_id, Enrollment.neighbourhood_id, func.sum(Enrollment.score), func.count())
        .where(Enrollment.challenge_id == challenge.id, Enrollment.active == true())
        .where(Enrollment.neighbourhood_id.is_not(None))
        .group_by(Enrollment.challenge_id, Enrollment.neighbourhood_id)
    )
    columns = ["challenge_id", "neighbourhood_id", "total_units", "participants"]
    db.session.execute(insert(NeighbourhoodScore).from_select(columns, totals))
    db.session.flush()


@pytest.fixture
def field_challenge(make_challenge):  # noqa: F811
    """Build a running mobility challenge (individual unless `format` says otherwise) inside the test's context."""

    def make(**fields):
        return make_challenge(category=Category.MOBILITY, **{"format": Format.INDIVIDUAL, **fields})

    return make
