"""Pays points and badges from what challenges announces.

Connected when the app is built (create_app imports this module); challenges never imports
rewards, it only sends its signals, inside the transaction that made the change.
"""

from challenges.signals import challenge_closed, submission_scored
from rewards import earnings


@submission_scored.connect
def settle_submission(submission, **_extra) -> None:
    """Bring the ledger in line with what the submission now counts for."""
    earnings.settle_submission(submission)


@challenge_closed.connect
def pay_challenge(challenge, **_extra) -> None:
    """Completion bonuses, placement prizes and result badges of a challenge that just closed."""
    earnings.pay_challenge(challenge)
