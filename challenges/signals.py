"""Events other domains may react to, without challenges knowing who listens.

- `challenge_closed(challenge)`: sent once, inside the transaction that closes the challenge, after
  final ranks are frozen. Rewards pays placement prizes and completion bonuses from it.
- `submission_scored(submission, units_delta, points_delta)`: sent whenever a submission's
  contribution changes (accepted, approved, rejected after acceptance, rescored).
"""

from blinker import Namespace

_signals = Namespace()

challenge_closed = _signals.signal("challenge-closed")
submission_scored = _signals.signal("submission-scored")
