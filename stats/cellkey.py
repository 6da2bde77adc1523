"""The cell key method: noise that the same residents always get, so two answers cannot be differenced.

The method is the one official statistics use for flexible tables: the Australian Bureau of
Statistics' TableBuilder (Thompson, Broadfoot & Elazar, "Methodology for the automatic
confidentialisation of statistical outputs from remote servers at the Australian Bureau of
Statistics", UNECE/Eurostat Work Session on Statistical Data Confidentiality, Ottawa 2013) and
the German census 2022 (Destatis, "Die Cell-Key-Methode – ein Geheimhaltungsverfahren",
WISTA 2/2018; Eurostat's SDC guidelines for the census, 2019). No maintained Python package
implements it (the reference one is the R package `cellKey` by Meindl), so it is implemented here
from the published method:

1. Every resident has a fixed random *record key* (`User.record_key`, drawn once, uniform).
2. A cell's *cell key* is the sum of its contributors' record keys modulo the key range, so it is
   uniform too, and it depends only on *who* is in the cell — not on the query that produced it.
3. The published value is the true value plus a perturbation looked up in a *perturbation table*
   (ptable) from the cell key. The same contributors therefore get the same noise in every query,
   and two cells whose contributors differ by even one resident get independent noise: subtracting
   two answers leaves the difference plus two noise terms, never the hidden value itself.

Record keys are integers in [0, MODULUS) with MODULUS = 2^31 − 1 (a prime) rather than reals in
[0, 1): sums of integers are exact in both databases whatever the order of summation, so the same
contributors get the same key on SQLite and PostgreSQL; cell key / MODULUS is the method's uniform
cell key in [0, 1). Because the modulus is prime, a resident counted in c cells of a total
(c < MODULUS) still moves its key uniformly.

Counts of residents are perturbed by `COUNT_PTABLE`: integer noise of −3…+3, never 0, so no
published count is the exact count. Magnitudes (kWh, km, CO₂, points, and counts of events such
as trips, where one resident can add many) are perturbed as in the ABS method for continuous
variables: noise = D × `MAGNITUDE_FACTOR` × the cell's largest single contribution, D uniform in
[−1, 1] looked up from the cell key (per measure, so kWh and CO₂ of the same residents do not move
together). A resident's contribution hidden in a difference of two cells is thus blurred by noise
of the order of the largest contribution in either cell; the chance that a difference lands
within 10 % of one resident's contribution is about 3 % for a typical resident and about 5 % for the
cell's largest contributor (simulated in tests/stats/test_cellkey.py).

Cells resting on fewer than k residents are still suppressed (with secondary suppression) before
the noise; totals are cells of their own, perturbed with the key of all their members, so a total
differs from the sum of its published members by at most the sum of the members' noise bounds
(`tolerance`).
"""

import hashlib
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from sqlalchemy import func, update

from accounts.models import RECORD_KEY_MODULUS, User, new_record_key
from app.extensions import db

MODULUS = RECORD_KEY_MODULUS  # record keys and cell keys are integers modulo this prime
MAGNITUDE_FACTOR = 2.0  # magnitude noise reaches ± this many times the cell's largest contribution


@dataclass(frozen=True)
class PTable:
    """A perturbation table: noise values and their probabilities, looked up by a uniform key in [0, 1)."""

    values: tuple[int, ...]
    probabilities: tuple[float, ...]

    def __post_init__(self):
        if len(self.values) != len(self.probabilities) or abs(sum(self.probabilities) - 1) > 1e-9:
            raise ValueError("a ptable needs one probability per value, adding up to 1")

    def lookup(self, u: float) -> int:
        """The noise whose cumulative-probability interval holds `u`."""
        bounds = list(accumulate(self.probabilities))
        return self.values[min(bisect_right(bounds, u), len(self.values) - 1)]

    @property
    def bound(self) -> int:
        return max(abs(v) for v in self.values)

    @property
    def variance(self) -> float:
        return sum(p * v * v for v, p in zip(self.values, self.probabilities, strict=True))


# Symmetric (unbiased), no mass at 0: a published count is never the true count.
COUNT_PTABLE = PTable(values=(-3, -2, -1, 1, 2, 3), probabilities=(0.1, 0.15, 0.25, 0.25, 0.15, 0.1))


__all__ = ["new_record_key"]


def ensure_record_keys() -> None:
    """Give every account without a record key one (rows created in bulk or before the column existed).

    Drawn by the database in one statement; a key is never changed once set.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        drawn = func.floor(func.random() * MODULUS)
    else:
        drawn = (func.random() % MODULUS + MODULUS) % MODULUS  # random() is a signed 64-bit integer
    db.session.execute(
        update(User)
        .where(User.record_key.is_(None))
        .values(record_key=drawn)
        .execution_options(synchronize_session=False)
    )


def cell_key(*keys: int) -> int:
    """The cell key of record keys or of member cell keys (sums modulo MODULUS)."""
    return sum(keys) % MODULUS


def uniform(key: int, measure: str) -> float:
    """The cell key as a uniform number in [0, 1), decorrelated per measure by a hash."""
    digest = hashlib.blake2b(f"{measure}:{key % MODULUS}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def count_noise(key: int, measure: str) -> int:
    return COUNT_PTABLE.lookup(uniform(key, measure))


def magnitude_noise(key: int, measure: str, largest: float) -> float:
    """D × factor × largest contribution, D uniform in [−1, 1] from the cell key."""
    return (2 * uniform(key, measure) - 1) * MAGNITUDE_FACTOR * abs(largest)


def perturb_count(value: float, key: int, measure: str) -> int:
    """A count of residents with its cell's noise, never below 0."""
    return max(round(value) + count_noise(key, measure), 0)


def perturb_magnitude(value: float, key: int, measure: str, largest: float, ndigits: int | None = 1) -> float:
    """A sum with noise scaled to its largest contribution, never below 0 when the sum is not."""
    noisy = value + magnitude_noise(key, measure, largest)
    if value >= 0:
        noisy = max(noisy, 0.0)
    return round(noisy) if ndigits is None else round(noisy, ndigits)


def noise_bound(kind: str, largest: float = 0.0) -> float:
    """The largest noise a cell can get: what `tolerance` adds up for totals."""
    return COUNT_PTABLE.bound if kind == "count" else MAGNITUDE_FACTOR * abs(largest)


def parameters() -> dict:
    """The method and its parameters in plain words, for the export's metadata."""
    return {
        "method": "cell key method (ABS TableBuilder, Thompson, Broadfoot & Elazar 2013; German census 2022)",
        "record_keys": f"one fixed random integer per resident, uniform in [0, {MODULUS})",
        "cell_key": f"sum of the record keys of the cell's contributors modulo {MODULUS}; the same residents always "
        "get the same noise, whatever the query",
        "counts_of_residents": {
            "noise_values": list(COUNT_PTABLE.values),
            "probabilities": list(COUNT_PTABLE.probabilities),
            "variance": COUNT_PTABLE.variance,
        },
        "magnitudes": {
            "noise": "uniform in [-f, f] times the cell's largest single contribution",
            "f": MAGNITUDE_FACTOR,
            "applies_to": "kWh, km, CO2, points, and counts of events (submissions, trips, joins)",
        },
        "totals": "perturbed as cells of their own; a total may differ from the sum of its published members by "
        "at most the sum of the members' noise bounds (3 per count, f × largest contribution per magnitude)",
        "negative_results": "set to 0",
    }
