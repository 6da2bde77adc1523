"""Events other domains may react to, without challenges knowing who listens.

- `challenge_closed(challenge)`: sent once, inside the transaction that closes the challenge, after
  final ranks are frozen. Rewards pays placement prizes and completion bonuses from it.
- `submission_scored(submission, units_delta, points_delta)`: sent whenever a submission's
  contribution changes (accepted, approved, rejected after acceptance, rescored).
- `enrollment_changed(enrollment, score_before, active_before)`: sent whenever an enrollment's
  score or `active` changes (joining, rejoining, leaving, any change of score), after the change;
  `score_before` and `active_before` are the values it replaced, so a listener can move the
  enrollment out of where it counted and into where it counts now. Leaderboards keeps its
  score histogram from it.
"""

from blinker import Namespace

_signals = Namespace()

challenge_closed = _signals.signal("challenge-closed")
submission_scored = _signals.signal("submission-scored")
enrollment_changed = _signals.signal("enrollment-changed")
