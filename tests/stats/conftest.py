"""Fixtures shared with the challenges and data-sharing tests, and a small city with trips."""

from datetime import date, time, timedelta

import pytest

from app.extensions import db
from challenges import participation
from challenges.kinds.trip import submit_trip
from challenges.scoring import Category, Mode
from tests.challenges.conftest import NOW, make_challenge  # noqa: F401
from tests.sharing.conftest import catalogue, give_consent  # noqa: F401

WEEK = date(2026, 3, 2)  # the Monday of NOW's week
DAY = date(2026, 3, 3)


@pytest.fixture
def city(catalogue, make_user, make_neighbourhood, make_challenge, give_consent):  # noqa: F811
    """Two neighbourhoods, three residents with trips, consents at different levels."""
    north, south = make_neighbourhood("North"), make_neighbourhood("South")
    a1, a2 = make_user(neighbourhood_id=north.id), make_user(neighbourhood_id=north.id)
    b1 = make_user(neighbourhood_id=south.id)
    challenge = make_challenge(Category.MOBILITY)
    trips = {a1: [(Mode.BIKE, 5.0), (Mode.BIKE, 5.0)], a2: [(Mode.PUBLIC_TRANSPORT, 10.0)], b1: [(Mode.WALK, 2.0)]}
    for user, items in trips.items():
        enrollment = participation.join(challenge, db.session.merge(user), now=NOW - timedelta(days=1))
        for number, (mode, km) in enumerate(items):
            submit_trip(enrollment, DAY, mode, km, True, trip_time=time(8, number), now=NOW)
    db.session.commit()
    give_consent(a1, "trips", "municipal_statistics", "neighbourhood", now=NOW - timedelta(days=30))
    give_consent(a1, "household_profile", "municipal_statistics", "neighbourhood", now=NOW - timedelta(days=30))
    give_consent(a2, "trips", "municipal_statistics", "city", now=NOW - timedelta(days=30))
    return {"north": north, "south": south, "a1": a1, "a2": a2, "b1": b1, "challenge": challenge}


@pytest.fixture
def exact(monkeypatch):
    """Publish true values instead of perturbed ones, for tests of suppression, formats and pages.

    The noise itself is tested in test_cellkey.py and test_attacks.py; production has no such switch.
    """
    from stats import services
    from stats.release import Status, Value

    def unperturbed(name, cell):
        return Value(cell.value, Status.SHOWN)

    monkeypatch.setattr(services, "perturbed", unperturbed)
