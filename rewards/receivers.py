"""Pays points and badges from what challenges announce (see app.signals for the payloads).

`app.wiring` connects these receivers when the app is built; challenges never imports rewards,
it only sends its signals, inside the transaction that made the change.
"""

from app.signals import ChallengeClosed, SubmissionScored
from rewards import earnings


def settle_submission(scored: SubmissionScored, **_extra) -> None:
    """Bring the ledger in line with what the submission now counts for."""
    earnings.settle_submission(scored)


def pay_challenge(closed: ChallengeClosed, **_extra) -> None:
    """Completion bonuses, placement prizes and result badges of a challenge that just closed."""
    earnings.pay_challenge(closed)
