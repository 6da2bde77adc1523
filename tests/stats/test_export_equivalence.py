"""The staff export, published byte for byte as before its figures were made faster (issue 18).

A seeded town — residents in three neighbourhoods with trips, meter readings, joins, points earned and
spent over ten weeks, consents at every level, fixed record keys — is exported at several levels and
period lengths. The expected digests were taken from the export before the activity pass was
restructured (contributors read from the same pass, buckets computed by date arithmetic); the same
digests hold on SQLite and PostgreSQL, so a change in any published value, status, or in who is logged
as included, fails here.
"""

import hashlib
import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert

from app.extensions import db
from challenges import participation
from challenges.models import Submission
from challenges.scoring import Category, Mode, trip_impact
from rewards.models import EntryKind, LedgerEntry
from sharing.models import Level
from stats import cellkey, exports, services
from stats.figures import Filters
from stats.periods import Granularity
from tests.challenges.conftest import NOW

START, END = date(2026, 1, 1), date(2026, 3, 15)  # from a Thursday to a Sunday: partial first week
AT = datetime(2026, 3, 20, 12, 0, tzinfo=NOW.tzinfo)
LEVELS = ("neighbourhood", "city", "individual")
MODES = (Mode.BIKE, Mode.WALK, Mode.PUBLIC_TRANSPORT, Mode.CARPOOL, Mode.CAR)


@pytest.fixture
def town(catalogue, make_user, make_neighbourhood, make_challenge, give_consent):
    """36 residents in three neighbourhoods with seeded activity, points and consents."""
    rng = random.Random(18)
    places = [make_neighbourhood(name) for name in ("Altstadt", "Hafen", "Südstadt")]
    residents = [make_user(neighbourhood_id=places[i % 3].id) for i in range(36)]
    opened = {"starts_at": datetime(2025, 12, 1, tzinfo=NOW.tzinfo), "ends_at": NOW + timedelta(days=30)}
    trips = make_challenge(Category.MOBILITY, now=NOW, **opened)
    energy = make_challenge(Category.ENERGY, now=NOW, **opened)
    submissions, ledger = [], []
    for number, user in enumerate(residents):
        user = db.session.merge(user)
        user.record_key = rng.randrange(cellkey.MODULUS)
        joined = datetime(2026, 1, 1, 9, tzinfo=NOW.tzinfo) + timedelta(days=rng.randrange(60), hours=rng.randrange(14))
        challenge = energy if number % 4 == 0 else trips
        enrollment = participation.join(challenge, user, now=joined)
        for _ in range(rng.randrange(0, 14)):
            day = START + timedelta(days=rng.randrange((END - START).days + 8))  # some after the period
            status = "accepted" if rng.random() < 0.9 else "rejected"
            if challenge is energy:
                saved = round(rng.uniform(0.5, 9.5), 2)
                impact = (saved, 0.0, round(saved * 0.38, 3))
                kind, mode, km = "reading", None, None
            else:
                mode, km = MODES[rng.randrange(len(MODES))], float(rng.randrange(1, 30))
                impact = trip_impact(mode, km, True)
                kind, mode = "trip", mode.value
            submissions.append({
                "challenge_id": challenge.id, "enrollment_id": enrollment.id, "user_id": user.id, "kind": kind,
                "status": status, "day": day, "mode": mode, "distance_km": km, "replaced_car": True, "units": 1.0,
                "points": 5, "source": "web", "created_at": joined, "neighbourhood_id": user.neighbourhood_id,
                "kwh_saved": impact[0], "car_km_avoided": impact[1], "co2_kg_avoided": impact[2],
            })  # fmt: skip
            when = datetime.combine(day, datetime.min.time(), tzinfo=NOW.tzinfo) + timedelta(hours=rng.randrange(24))
            ledger.append({"user_id": user.id, "amount": rng.randrange(1, 40), "kind": EntryKind.ACTIVITY,
                           "reason": "x", "reason_params": {}, "source_type": "test",
                           "source_key": f"t{len(ledger)}", "created_at": when})  # fmt: skip
            if rng.random() < 0.15:
                ledger.append({**ledger[-1], "amount": -rng.randrange(5, 30), "kind": EntryKind.REDEMPTION,
                               "source_key": f"t{len(ledger)}"})  # fmt: skip
    db.session.execute(insert(Submission), submissions)
    db.session.execute(insert(LedgerEntry), ledger)
    db.session.commit()
    granted = datetime(2025, 11, 1, tzinfo=NOW.tzinfo)
    for user in residents:
        for category in ("trips", "energy_readings", "household_profile"):
            if rng.random() < 0.75:
                give_consent(user, category, "municipal_statistics", LEVELS[rng.randrange(3)], now=granted)
    return residents


def _digest(release) -> str:
    lines = "".join(exports.csv_lines(release))
    extras = repr((release.residents_included, release.residents_excluded, sorted(release.retention.items()),
                   release.consents))  # fmt: skip
    return hashlib.sha256((lines + extras).encode()).hexdigest()[:16]


# Re-pinned when the meter connector added the category "meter readings": the CSV, the residents and the retention
# stayed byte-identical; only the consent shares moved, as their denominator counts the categories one may consent to.
# Re-pinned again for the category "routes" (tracks): the CSV, residents and retention checked byte-identical again.
EXPECTED = {
    (Granularity.WEEK, Level.NEIGHBOURHOOD): "4c48976386f7de22",
    (Granularity.WEEK, Level.CITY): "2f7559e686d1da95",
    (Granularity.DAY, Level.NEIGHBOURHOOD): "8f2ba25add4f0f7c",
    (Granularity.MONTH, Level.NEIGHBOURHOOD): "9340846e9563d134",
    (Granularity.MONTH, Level.CITY): "01d7986d3a8b6e65",
}


@pytest.mark.parametrize(("granularity", "level"), list(EXPECTED))
def test_the_export_is_published_as_before(town, granularity, level):
    """Every published value, status, head count and retention share is what the export published before."""
    filters = Filters(start=START, end=END, granularity=granularity, level=level)
    release, _figures = services.build_release(filters, at=AT, k=3)
    statuses = Counter(line.rsplit(",", 1)[-1].strip() for line in exports.csv_lines(release))
    assert statuses["perturbed"] > 20 and statuses["suppressed"] > 0  # a town with something to hide and to show
    assert _digest(release) == EXPECTED[granularity, level]


def test_the_log_names_the_residents_as_before(town):
    """The residents a staff export rests on (and is logged with) are the same set as before."""
    filters = Filters(start=START, end=END, granularity=Granularity.WEEK, level=Level.NEIGHBOURHOOD)
    _release, figures = services.build_release(filters, at=AT, k=3)
    ids = {user.id for user in town}
    positions = sorted(i for i, user in enumerate(town) if user.id in figures.included)
    per_measure = {name: sorted(i for i, user in enumerate(town) if user.id in residents)
                   for name, residents in sorted(figures.contributors.items())}  # fmt: skip
    assert len(positions) > 20
    assert figures.included <= ids
    assert hashlib.sha256(repr(per_measure).encode()).hexdigest()[:16] == "8b64121d45ea6792"
