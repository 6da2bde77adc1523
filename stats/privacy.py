"""Differential privacy for open-data releases: Laplace and Gaussian noise from OpenDP, and a privacy budget.

Open data uses the Gaussian mechanism under zero-concentrated DP (`release_gaussian`): a resident
who contributes to many periods moves the release by far less in L2 than in L1, so the noise is
much smaller for the same (ε, δ). The Laplace functions below remain for pure ε-DP needs.

Counts get discrete Laplace noise (integers in, integers out); sums get Laplace noise on floats.
The noise scale is sensitivity / epsilon, nudged up by a rounding step where OpenDP's
conservative float arithmetic would otherwise report a privacy loss just above epsilon; each
measurement is checked with OpenDP before it runs.

Sensitivity is the L1 distance between the released vectors of two datasets differing in one
resident. A resident counted in one cell only (neighbourhoods, or categories one belongs to
alone) moves the vector by 1; one counted in up to `m` cells (weeks of participation) moves it
by `m`, so pass `sensitivity=m`. For sums, each resident's contribution to the whole release is
clipped to [0, bound] before summing (`clip`, or `LEAST(GREATEST(x, 0), :bound)` per resident
in SQL), which makes `bound` the sensitivity.

After the noise, negative results are set to 0 and sums are rounded: post-processing, which
costs no privacy, but it biases figures near zero slightly upwards.

`Budget` is basic sequential composition for one budget: epsilons add up, and a charge is refused
once they would exceed the total. Open data keeps one such budget per resident and year, in the
database (stats.open_data).
"""

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import opendp.prelude as dp

dp.enable_features("contrib")

TOLERANCE = 1e-9  # epsilons that add up to the total within float error still fit


class BudgetExhausted(Exception):
    """The release would spend more privacy budget than the dataset has left."""


@dataclass
class Budget:
    """The privacy budget of one dataset: total epsilon and how much of it is spent."""

    total_epsilon: float
    spent: float = 0.0

    def __post_init__(self):
        _check_positive("total_epsilon", self.total_epsilon)
        if not math.isfinite(self.spent) or self.spent < 0:
            raise ValueError("spent must be a non-negative number")

    @property
    def remaining(self) -> float:
        return max(self.total_epsilon - self.spent, 0.0)

    def can_afford(self, epsilon: float) -> bool:
        return self.spent + epsilon <= self.total_epsilon + TOLERANCE

    def charge(self, epsilon: float) -> float:
        """Spend epsilon, or raise BudgetExhausted and spend nothing; returns the new total spent."""
        _check_positive("epsilon", epsilon)
        if not self.can_afford(epsilon):
            raise BudgetExhausted(f"epsilon {epsilon} exceeds the remaining budget {self.remaining}")
        self.spent += epsilon
        return self.spent


def clip(contribution: float, bound: float) -> float:
    """One resident's contribution limited to [0, bound], so that a sum's sensitivity is `bound`."""
    return min(max(contribution, 0.0), bound)


def count_scale(epsilon: float, sensitivity: int = 1) -> float:
    """The discrete Laplace scale `release_counts` uses."""
    return _scale(_count_space(), sensitivity, epsilon)


def sum_scale(epsilon: float, bound: float) -> float:
    """The Laplace scale `release_sums` uses."""
    return _scale(_sum_space(), float(bound), epsilon)


def release_counts(
    values: Mapping[Hashable, int], epsilon: float, sensitivity: int = 1, budget: Budget | None = None
) -> dict[Hashable, int]:
    """Counts with discrete Laplace noise, clamped at 0; charges `budget` first if given."""
    _check_positive("epsilon", epsilon)
    if isinstance(sensitivity, bool) or not isinstance(sensitivity, int) or sensitivity < 1:
        raise ValueError("sensitivity must be a positive integer")
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in values.values()):
        raise ValueError("counts must be non-negative integers")
    noisy = _release(_count_space(), list(values.values()), sensitivity, epsilon, budget)
    return {key: max(value, 0) for key, value in zip(values, noisy, strict=True)}


def release_sums(
    values: Mapping[Hashable, float],
    epsilon: float,
    bound: float,
    ndigits: int = 1,
    budget: Budget | None = None,
) -> dict[Hashable, float]:
    """Sums of clipped contributions with Laplace noise, clamped at 0 and rounded to `ndigits`."""
    _check_positive("epsilon", epsilon)
    _check_positive("bound", bound)
    if any(not math.isfinite(v) or v < 0 for v in values.values()):
        raise ValueError("sums of clipped contributions are finite and non-negative")
    noisy = _release(_sum_space(), [float(v) for v in values.values()], float(bound), epsilon, budget)
    return {key: round(max(value, 0.0), ndigits) for key, value in zip(values, noisy, strict=True)}


def _release(space, data: list, sensitivity, epsilon: float, budget: Budget | None) -> list:
    if not data:
        return []  # nothing released, nothing spent
    measurement = dp.m.make_laplace(*space, scale=_scale(space, sensitivity, epsilon))
    if budget is not None:
        budget.charge(epsilon)
    return measurement(data)


def rho_for(epsilon: float, delta: float) -> float:
    """The zero-concentrated DP budget ρ whose (ε, δ) guarantee is `epsilon` at `delta`.

    ρ-zCDP implies (ρ + 2√(ρ ln 1/δ), δ)-DP (Bun & Steinke 2016, Prop. 1.3); solved for ρ.
    OpenDP's own conversion is at least as tight, which `release_gaussian`'s callers can check.
    """
    _check_positive("epsilon", epsilon)
    _check_positive("delta", delta)
    log_term = math.log(1 / delta)
    return (math.sqrt(log_term + epsilon) - math.sqrt(log_term)) ** 2


def gaussian_scale(rho: float, l2_sensitivity: float) -> float:
    """The Gaussian noise scale σ that OpenDP certifies as ρ-zCDP for an L2 sensitivity."""
    _check_positive("rho", rho)
    _check_positive("l2_sensitivity", l2_sensitivity)
    scale = l2_sensitivity / math.sqrt(2 * rho)
    space = _gaussian_space()
    for _ in range(64):
        if dp.m.make_gaussian(*space, scale=scale).map(float(l2_sensitivity)) <= rho:
            return scale
        scale = math.nextafter(scale, math.inf) * (1 + 1e-12)
    raise RuntimeError(f"no Gaussian scale found for rho {rho}")  # pragma: no cover


def release_gaussian(values: Mapping[Hashable, float], rho: float, l2_sensitivity: float,
                     ndigits: int | None = 1) -> dict[Hashable, float]:  # fmt: skip
    """Values with Gaussian noise (OpenDP, ρ-zCDP for the L2 sensitivity), clamped at 0 and rounded."""
    if any(not math.isfinite(v) or v < 0 for v in values.values()):
        raise ValueError("the values must be finite and non-negative")
    if not values:
        return {}
    measurement = dp.m.make_gaussian(*_gaussian_space(), scale=gaussian_scale(rho, l2_sensitivity))
    noisy = measurement([float(v) for v in values.values()])
    return {key: (round(max(v, 0.0)) if ndigits is None else round(max(v, 0.0), ndigits))
            for key, v in zip(values, noisy, strict=True)}  # fmt: skip


def _gaussian_space():
    return dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l2_distance(T=float)


def _scale(space, sensitivity, epsilon: float) -> float:
    _check_positive("epsilon", epsilon)
    scale = sensitivity / epsilon
    for _ in range(64):
        if dp.m.make_laplace(*space, scale=scale).check(sensitivity, epsilon):
            return scale
        scale = math.nextafter(scale, math.inf)
    raise RuntimeError(f"no Laplace scale found for epsilon {epsilon}")  # pragma: no cover


def _count_space():
    return dp.vector_domain(dp.atom_domain(T="i64")), dp.l1_distance(T="i64")


def _sum_space():
    return dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l1_distance(T=float)


def _check_positive(name: str, number: float) -> None:
    if isinstance(number, bool) or not isinstance(number, int | float) or not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a positive finite number")
