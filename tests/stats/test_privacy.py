"""Differentially private releases: noise is really added, at the right scale, within the budget.

OpenDP draws from the system's secure random source and cannot be seeded, so the statistical
checks use thousands of draws and bounds about ten standard errors wide: they do not flake.
"""

import math
import statistics

import pytest

from stats.privacy import (
    Budget,
    BudgetExhausted,
    clip,
    count_scale,
    release_counts,
    release_sums,
    sum_scale,
)

DRAWS = 4000


def noisy_counts(true: int, epsilon: float, sensitivity: int = 1) -> list[int]:
    """Many independent noisy copies of one count, released in one vector."""
    released = release_counts({n: true for n in range(DRAWS)}, epsilon, sensitivity)
    return list(released.values())


def test_repeated_releases_of_one_count_differ():
    """The same count released twenty times does not come back the same every time."""
    releases = {release_counts({"north": 50}, 1.0)["north"] for _ in range(20)}
    assert len(releases) > 1


def test_counts_stay_integers_keep_their_keys_and_are_unbiased():
    """Noise is centred on the true value; keys and integer type survive."""
    released = noisy_counts(1000, 1.0)
    assert all(isinstance(v, int) for v in released)
    assert abs(statistics.fmean(released) - 1000) < 0.3
    assert release_counts({}, 1.0) == {}
    assert set(release_counts({"a": 3, "b": 4}, 1.0)) == {"a", "b"}


def test_count_noise_scale_follows_one_over_epsilon():
    """Mean absolute error is about 1/epsilon (discrete Laplace: 0.85 at scale 1, 3.96 at scale 4)."""
    error_at_1 = statistics.fmean(abs(v - 1000) for v in noisy_counts(1000, 1.0))
    error_at_quarter = statistics.fmean(abs(v - 1000) for v in noisy_counts(1000, 0.25))
    assert 0.65 < error_at_1 < 1.05
    assert 3.3 < error_at_quarter < 4.6
    assert 3 < error_at_quarter / error_at_1 < 6
    assert count_scale(0.25) == pytest.approx(4.0)


def test_sensitivity_widens_the_noise():
    """A resident counted in up to three cells needs three times the noise."""
    error = statistics.fmean(abs(v - 1000) for v in noisy_counts(1000, 1.0, sensitivity=3))
    assert 2.4 < error < 3.6
    assert count_scale(1.0, 3) == pytest.approx(3.0)


def test_negative_noisy_counts_are_clamped_to_zero():
    """A count of zero with much noise never comes out negative, and sometimes as 0."""
    released = noisy_counts(0, 0.1)
    assert min(released) == 0
    assert max(released) > 0


def test_sums_get_laplace_noise_of_bound_over_epsilon_and_are_rounded():
    """Bounded sums: error about bound/epsilon, centred, rounded to one decimal."""
    released = list(release_sums({n: 500.0 for n in range(DRAWS)}, 0.5, bound=2.5).values())
    assert abs(statistics.fmean(released) - 500) < 1.0
    assert 4.4 < statistics.fmean(abs(v - 500) for v in released) < 5.6
    assert all(v == round(v, 1) for v in released)
    assert sum_scale(0.5, 2.5) == pytest.approx(5.0)
    assert min(release_sums({n: 0.0 for n in range(200)}, 0.5, bound=2.5).values()) == 0.0


def test_clip_bounds_one_residents_contribution():
    """Contributions are limited to [0, bound] before they are summed."""
    assert [clip(x, 2.5) for x in (-1.0, 1.2, 9.0)] == [0.0, 1.2, 2.5]


@pytest.mark.parametrize("epsilon", [0, -1.0, math.nan, math.inf, True])
def test_epsilon_must_be_positive(epsilon):
    """Epsilon zero, negative, not a number or infinite is refused everywhere."""
    with pytest.raises(ValueError):
        release_counts({"a": 5}, epsilon)
    with pytest.raises(ValueError):
        release_sums({"a": 5.0}, epsilon, bound=1.0)
    with pytest.raises(ValueError):
        Budget(1.0).charge(epsilon)


def test_invalid_inputs_are_refused():
    """Negative counts, non-integer sensitivity, negative sums or bounds make no sense."""
    for call in (
        lambda: release_counts({"a": -1}, 1.0),
        lambda: release_counts({"a": 1.5}, 1.0),
        lambda: release_counts({"a": 1}, 1.0, sensitivity=0),
        lambda: release_sums({"a": -2.0}, 1.0, bound=1.0),
        lambda: release_sums({"a": 2.0}, 1.0, bound=0),
        lambda: Budget(0),
        lambda: Budget(1.0, spent=-0.1),
    ):
        with pytest.raises(ValueError):
            call()


def test_budget_adds_epsilons_and_refuses_beyond_total():
    """Sequential composition: ten releases of 0.1 fill a budget of 1, the next is refused."""
    budget = Budget(total_epsilon=1.0)
    for _ in range(10):
        budget.charge(0.1)
    assert budget.spent == pytest.approx(1.0)
    assert budget.remaining == pytest.approx(0.0)
    with pytest.raises(BudgetExhausted):
        budget.charge(0.01)
    assert budget.spent == pytest.approx(1.0)


def test_release_charges_the_budget_and_refuses_without_releasing():
    """A release spends its epsilon; once spent, the release raises and spends nothing more."""
    budget = Budget(total_epsilon=1.0, spent=0.5)
    release_counts({"a": 10}, 0.5, budget=budget)
    assert budget.spent == pytest.approx(1.0)
    with pytest.raises(BudgetExhausted):
        release_sums({"a": 10.0}, 0.2, bound=1.0, budget=budget)
    assert budget.spent == pytest.approx(1.0)
    assert not budget.can_afford(0.2)
