"""Running totals and baselines."""

import pytest

from app.extensions import db
from challenges import participation, totals
from challenges.scoring import Format, reference_daily_kwh
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_baseline_from_household_reference(make_challenge, make_user):
    """Without earlier readings the baseline is the reference for the household size."""
    resident = attached(make_user(household_size=3))
    enrollment = participation.join(make_challenge(), resident, now=NOW)
    assert enrollment.baseline_source == "reference"
    assert enrollment.baseline_kwh_per_day == reference_daily_kwh(3)


def test_progress_is_the_share_of_a_collective_target(make_challenge):
    """Collective challenges report their share of the target; other formats have none."""
    collective = make_challenge(format=Format.COLLECTIVE, target=200.0)
    collective.total_units = 50.0
    assert totals.progress(collective) == 0.25
    assert totals.progress(make_challenge()) is None
