"""The data use log is complete: every resident behind any figure of an export is in that export's entry."""

from datetime import date, timedelta

from app.extensions import db
from rewards import ledger
from rewards.models import EntryKind
from sharing.models import DataUse, DataUseResident, Level
from stats import services
from stats.figures import CITY, MEASURES, Filters, compute
from stats.periods import Granularity
from tests.challenges.conftest import NOW

MARCH = Filters(date(2026, 3, 1), date(2026, 3, 31), Granularity.MONTH, Level.CITY)


def _logged(use_id: int) -> set[int]:
    return set(db.session.scalars(db.select(DataUseResident.user_id).where(DataUseResident.data_use_id == use_id)))


def test_the_log_lists_every_contributor_of_every_measure(city, make_user, give_consent):
    """Trips, joins, a registration and points earned without any activity in the period: all are in the log.

    With one period and one place, each measure's cell counts its residents in the database's own
    aggregation; the contributor sets the log is written from must have exactly those sizes.
    """
    registrant = make_user(neighbourhood_id=city["north"].id)
    earner = make_user(neighbourhood_id=city["south"].id)
    db.session.merge(registrant).created_at = NOW - timedelta(days=2)
    db.session.merge(earner).created_at = NOW - timedelta(days=200)
    ledger.credit(earner.id, 30, EntryKind.BONUS, "completion", ("test", None), "test:earner", now=NOW)
    db.session.commit()
    for resident in (registrant, earner):
        give_consent(resident, "household_profile", "municipal_statistics", "city", now=NOW - timedelta(days=30))
    staff = make_user(role="staff")

    release = services.export(MARCH, db.session.merge(staff), "log completeness", at=NOW)

    figures = compute(MARCH, at=NOW)
    for name in MEASURES:
        cell = figures.tables[name].get(CITY, {}).get(date(2026, 3, 1))
        assert (cell.residents if cell else 0) == len(figures.contributors[name]), name
    joined, _kept = figures.retention[CITY]
    assert joined.residents == len(figures.contributors["retention"])
    logged = _logged(release.export_id)
    assert logged == figures.included
    assert {city["a1"].id, city["a2"].id, registrant.id, earner.id} <= logged
    assert city["b1"].id not in logged  # no consent at all: neither read nor logged
    assert registrant.id in figures.contributors["registrations"] and earner.id in figures.contributors["points_earned"]
    use = db.session.get(DataUse, release.export_id)
    assert use.categories == ["trips", "household_profile"]  # no readings in this city: not claimed
    for code, residents in figures.by_category().items():
        assert residents <= logged, code
