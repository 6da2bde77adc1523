"""The cell key method on its own: keys add up modulo the prime, the ptable is unbiased, and differencing is blurred."""

import random
import statistics

import pytest

from stats import cellkey


def test_the_same_contributors_get_the_same_noise_whatever_the_order():
    """A cell key depends only on who is in the cell, so the noise does too."""
    keys = [random.Random(1).randrange(cellkey.MODULUS) for _ in range(5)]
    first = cellkey.cell_key(*keys)
    assert first == cellkey.cell_key(*reversed(keys)) == cellkey.cell_key(cellkey.cell_key(*keys[:2]), *keys[2:])
    assert cellkey.perturb_magnitude(100.0, first, "kwh_saved", 20.0) == cellkey.perturb_magnitude(
        100.0, cellkey.cell_key(*reversed(keys)), "kwh_saved", 20.0
    )


def test_count_ptable_is_unbiased_and_never_zero():
    """Counts move by −3…+3, never 0, with mean 0: no published count is exact, and none is biased."""
    table = cellkey.COUNT_PTABLE
    assert 0 not in table.values and table.bound == 3
    assert sum(v * p for v, p in zip(table.values, table.probabilities, strict=True)) == pytest.approx(0)
    draws = [cellkey.count_noise(key, "registrations") for key in range(0, cellkey.MODULUS, cellkey.MODULUS // 20000)]
    assert set(draws) == set(table.values) and abs(statistics.mean(draws)) < 0.05


def test_magnitude_noise_is_bounded_by_the_largest_contribution():
    """Magnitude noise stays within ± factor × the largest contribution and uses the whole range."""
    rng = random.Random(2)
    noises = [cellkey.magnitude_noise(rng.randrange(cellkey.MODULUS), "car_km_avoided", 10.0) for _ in range(5000)]
    bound = cellkey.MAGNITUDE_FACTOR * 10.0
    assert all(-bound <= n <= bound for n in noises)
    assert min(noises) < -0.9 * bound and max(noises) > 0.9 * bound and abs(statistics.mean(noises)) < 0.5


def test_differencing_two_cells_rarely_lands_near_one_contribution():
    """Simulated attack: cell A = cell B plus one resident r; A − B recovers r within 10 % in under 5 % of cases.

    This is the protection the module docstring documents (about 3 % here, at factor 2): a differencing
    attacker never knows whether this is one of the rare close cases.
    """
    rng = random.Random(3)
    close = exact = 0
    trials = 4000
    for _ in range(trials):
        others = [rng.uniform(1, 20) for _ in range(rng.randint(5, 30))]
        mine = rng.uniform(1, 20)
        keys = [rng.randrange(cellkey.MODULUS) for _ in others]
        my_key = rng.randrange(cellkey.MODULUS)
        with_me = cellkey.perturb_magnitude(sum(others) + mine, cellkey.cell_key(*keys, my_key), "m",
                                            max(*others, mine), ndigits=None)  # fmt: skip
        without = cellkey.perturb_magnitude(sum(others), cellkey.cell_key(*keys), "m", max(others), ndigits=None)
        recovered = with_me - without
        close += abs(recovered - mine) <= 0.1 * mine
        exact += recovered == pytest.approx(mine, abs=1e-9)
    assert exact == 0
    assert close / trials < 0.05


def test_parameters_are_published_in_plain_words():
    """The metadata names the method, its sources and every parameter."""
    parameters = cellkey.parameters()
    assert "Thompson" in parameters["method"] and "census 2022" in parameters["method"]
    assert parameters["counts_of_residents"]["noise_values"] == [-3, -2, -1, 1, 2, 3]
    assert parameters["magnitudes"]["f"] == cellkey.MAGNITUDE_FACTOR


def test_accounts_without_a_key_get_one_and_keys_never_change(ctx, make_user):
    """Rows created in bulk (no key) get one from the database, in range; a key once set stays."""
    from accounts.models import User
    from app.extensions import db

    kept, bulk = make_user(), make_user()
    db.session.merge(bulk).record_key = None
    db.session.flush()
    before = db.session.get(User, kept.id).record_key
    cellkey.ensure_record_keys()
    db.session.expire_all()
    assert db.session.get(User, kept.id).record_key == before
    assert 0 <= db.session.get(User, bulk.id).record_key < cellkey.MODULUS
